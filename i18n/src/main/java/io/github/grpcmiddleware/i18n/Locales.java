package io.github.grpcmiddleware.i18n;

import io.github.grpcmiddleware.internal.ServerCallScope;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ServerInterceptor;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Entry point for the caller's locale: the server interceptor that resolves {@code
 * accept-language}, the accessor for the resolved {@link Locale}, and the client interceptor that
 * sends {@code accept-language}.
 *
 * <pre>{@code
 * ServerInterceptor locale =
 *     Locales.serverBuilder()
 *         .supported(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)
 *         .defaultLocale(Locale.ENGLISH)
 *         .build();
 * // in a handler:
 * Locale callerLocale = Locales.current();
 * }</pre>
 *
 * <p>The locale lives in an {@link io.grpc.Context} key, never in a ThreadLocal; the MDC entry
 * {@code locale} is only an optional mirror for logging.
 *
 * <p>This class is thread-safe.
 */
public final class Locales {

  private Locales() {}

  /**
   * Returns the server interceptor that resolves the caller's locale among {@code supported}, the
   * first being the default, with the other settings at their defaults; the same as {@code
   * serverBuilder().supported(supported).build()}.
   *
   * @param supported the locales the service has messages in, the default first; not null, at least
   *     one, no null element
   * @return the interceptor, for the locale slot of {@code ServerChain}; never null
   * @throws IllegalArgumentException when no locale is given
   * @throws IllegalStateException when one is {@link Locale#ROOT}
   */
  public static ServerInterceptor newServerInterceptor(Locale... supported) {
    Objects.requireNonNull(supported, "supported");
    for (int i = 0; i < supported.length; i++) {
      Objects.requireNonNull(supported[i], "supported[" + i + "]");
    }
    if (supported.length == 0) {
      throw new IllegalArgumentException("supported: [] (expected: at least one locale)");
    }
    return serverBuilder().supported(supported).build();
  }

  /**
   * Returns a builder for the server interceptor that resolves the caller's locale.
   *
   * @return a new builder; never null
   */
  public static LocalesServerBuilder serverBuilder() {
    return new LocalesServerBuilder();
  }

  /**
   * Returns a builder for the client interceptor that sends {@code accept-language}.
   *
   * @return a new builder; never null
   */
  public static LocalesClientBuilder clientBuilder() {
    return new LocalesClientBuilder();
  }

  /**
   * Returns a client interceptor that sends the JVM's default locale ({@link Locale#getDefault()},
   * read on every call) as {@code accept-language}.
   *
   * @return the interceptor; never null
   */
  public static ClientInterceptor newClientInterceptor() {
    return clientBuilder().build();
  }

  /**
   * Returns the resolved locale of the call whose {@link Context} is current.
   *
   * @return the locale, one of the server's supported locales; {@code null} when no locale
   *     interceptor runs outside the current code
   */
  public static @Nullable Locale current() {
    return fromContext(Context.current());
  }

  /**
   * Returns the resolved locale held in the given {@link Context}.
   *
   * @param context a Context captured from a call; not null
   * @return the locale, or {@code null} when the Context holds none
   */
  public static @Nullable Locale fromContext(Context context) {
    ServerCallScope scope = ServerCallScope.fromContext(Objects.requireNonNull(context, "context"));
    return scope == null ? null : scope.locale();
  }
}

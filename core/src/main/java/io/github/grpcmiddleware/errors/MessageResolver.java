package io.github.grpcmiddleware.errors;

import com.google.rpc.LocalizedMessage;
import io.grpc.Context;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns a message key and its arguments into text for the caller of one call.
 *
 * <p>Error mapping calls it for every error it sends; the i18n module implements it with message
 * catalogs and the caller's {@code accept-language}. Core itself never depends on i18n: the two
 * meet only through this interface.
 *
 * <p>Implementations must be thread-safe and must not throw; they are called on whatever thread
 * closes the call, possibly without the call's {@link Context} attached.
 */
public interface MessageResolver {

  /**
   * Resolves {@code key} for the call whose {@link Context} is given.
   *
   * <p>The Context is the one captured when the call started (it holds the caller's locale when the
   * i18n interceptor runs outside error mapping). Pass {@link Context#ROOT} to get the text in the
   * service's default locale.
   *
   * @param callContext the call's Context, captured at the start of the call; not null
   * @param key the message key, for example {@link MessageKeys#INTERNAL}; not null
   * @param args the message arguments, formatted in the resolved locale; not null, may be empty
   * @return the text with the BCP-47 tag of the locale it is written in, or {@code null} when no
   *     catalog has the key (the caller then uses its own default text)
   */
  @Nullable LocalizedMessage resolve(Context callContext, String key, List<?> args);
}

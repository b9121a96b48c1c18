package io.github.grpcmiddleware.chain;

import io.github.grpcmiddleware.internal.ClientHeaderHost;
import io.github.grpcmiddleware.internal.ClientHeaderPart;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Collects the parts of a client chain.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs. Obtained from {@link
 * ClientChain#builder()}.
 */
public final class ClientChainBuilder {
  private final List<ClientInterceptor> observability = new ArrayList<>();
  private @Nullable ClientInterceptor errorReporting;
  private @Nullable ClientInterceptor locale;
  private final List<ClientInterceptor> application = new ArrayList<>();
  private @Nullable ClientInterceptor tracing;
  private @Nullable CallCredentials credentials;
  private @Nullable ClientInterceptor limits;

  ClientChainBuilder() {}

  /**
   * Sets the part nearest the application ({@code Limits.clientBuilder()}, a default deadline for
   * calls without one), so the access log and metrics see the deadline it sets.
   *
   * @param limits the part; not null
   * @return this builder
   * @throws IllegalStateException when a limits part is already set
   */
  public ClientChainBuilder limits(ClientInterceptor limits) {
    this.limits = once(this.limits, limits, "limits");
    return this;
  }

  /**
   * Sets the part nearest the channel, which sends the trace id and puts it in the MDC around
   * response callbacks.
   *
   * @param tracing the part; not null
   * @return this builder
   * @throws IllegalStateException when a tracing part is already set
   */
  public ClientChainBuilder tracing(ClientInterceptor tracing) {
    this.tracing = once(this.tracing, tracing, "tracing");
    return this;
  }

  /**
   * Adds an observability part (access log, metrics); several run in the order added.
   *
   * @param observability the part; not null
   * @return this builder
   */
  public ClientChainBuilder observability(ClientInterceptor observability) {
    this.observability.add(Objects.requireNonNull(observability, "observability"));
    return this;
  }

  /**
   * Sets the part that reports or logs failed calls, such as {@code
   * ErrorMapping.newClientInterceptor()}.
   *
   * @param errorReporting the part; not null
   * @return this builder
   * @throws IllegalStateException when an error-reporting part is already set
   */
  public ClientChainBuilder errorReporting(ClientInterceptor errorReporting) {
    this.errorReporting = once(this.errorReporting, errorReporting, "errorReporting");
    return this;
  }

  /**
   * Sets the part that sends {@code accept-language}.
   *
   * @param locale the part; not null
   * @return this builder
   * @throws IllegalStateException when a locale part is already set
   */
  public ClientChainBuilder locale(ClientInterceptor locale) {
    this.locale = once(this.locale, locale, "locale");
    return this;
  }

  /**
   * Adds one of the application's own interceptors; they run between locale and tracing, in the
   * order added.
   *
   * @param application the interceptor; not null
   * @return this builder
   */
  public ClientChainBuilder application(ClientInterceptor application) {
    this.application.add(Objects.requireNonNull(application, "application"));
    return this;
  }

  /**
   * Sets credentials attached to every call that carries none of its own.
   *
   * @param credentials the credentials; not null
   * @return this builder
   * @throws IllegalStateException when credentials are already set
   */
  public ClientChainBuilder credentials(CallCredentials credentials) {
    Objects.requireNonNull(credentials, "credentials");
    if (this.credentials != null) {
      throw new IllegalStateException("credentials already set");
    }
    this.credentials = credentials;
    return this;
  }

  /**
   * Builds the composite interceptor.
   *
   * <p>When the locale part sits right outside the tracing part (no application interceptor between
   * them), both run in one call wrapper: the locale part adds its header at the start of the
   * tracing part's wrapper, in the same order as two wrappers would.
   *
   * @return the interceptor; never null
   */
  public ClientInterceptor build() {
    List<ClientInterceptor> parts = new ArrayList<>();
    addIfSet(parts, limits);
    if (credentials != null) {
      parts.add(new CredentialsInterceptor(credentials));
    }
    parts.addAll(observability);
    addIfSet(parts, errorReporting);
    addIfSet(parts, locale);
    parts.addAll(application);
    addIfSet(parts, tracing);
    return new CompositeClientInterceptor(fuseHeaderParts(parts));
  }

  /**
   * Replaces each run of {@link ClientHeaderPart}s directly outside a {@link ClientHeaderHost} by
   * the host running them at its start: one call wrapper per call instead of one per part. Only
   * adjacent parts fuse, so an interceptor between them still sees the headers in the same order.
   */
  static ClientInterceptor[] fuseHeaderParts(List<ClientInterceptor> parts) {
    List<ClientInterceptor> fused = new ArrayList<>(parts.size());
    for (ClientInterceptor part : parts) {
      if (part instanceof ClientHeaderHost) {
        int start = fused.size();
        while (start > 0 && fused.get(start - 1) instanceof ClientHeaderPart) {
          start--;
        }
        List<ClientInterceptor> run = fused.subList(start, fused.size());
        if (!run.isEmpty()) {
          ClientHeaderPart[] outer = run.toArray(new ClientHeaderPart[0]);
          run.clear();
          part = ((ClientHeaderHost) part).withOuterHeaderParts(outer);
        }
      }
      fused.add(part);
    }
    return fused.toArray(new ClientInterceptor[0]);
  }

  private static void addIfSet(List<ClientInterceptor> parts, @Nullable ClientInterceptor part) {
    if (part != null) {
      parts.add(part);
    }
  }

  private static ClientInterceptor once(
      @Nullable ClientInterceptor current, ClientInterceptor next, String slot) {
    Objects.requireNonNull(next, slot);
    if (current != null) {
      throw new IllegalStateException(slot + " already set");
    }
    return next;
  }

  private static final class CredentialsInterceptor implements ClientInterceptor {
    private final CallCredentials credentials;

    CredentialsInterceptor(CallCredentials credentials) {
      this.credentials = credentials;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      CallOptions options =
          callOptions.getCredentials() == null
              ? callOptions.withCallCredentials(credentials)
              : callOptions;
      return next.newCall(method, options);
    }
  }
}

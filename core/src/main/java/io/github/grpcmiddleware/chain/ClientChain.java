package io.github.grpcmiddleware.chain;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Assembles the client-side parts of the library into one {@link ClientInterceptor} that runs them
 * in the one correct order, whatever order the builder was given them in.
 *
 * <p>From the application towards the channel: limits (a default deadline), observability (access
 * log, metrics), error reporting, locale ({@code accept-language}), the application's own
 * interceptors, then tracing nearest the channel. Tracing sits nearest the channel because response
 * callbacks travel from the channel outwards: the part that puts the trace id in the MDC must see
 * them first, so that every other part logs with it. Credentials, when given, are attached to every
 * call's {@link CallOptions} (a call that already carries its own credentials keeps them).
 *
 * <pre>{@code
 * ClientInterceptor chain = ClientChain.builder()
 *     .tracing(TraceIds.newClientInterceptor())
 *     .build();
 * ManagedChannel channel = ManagedChannelBuilder.forTarget(target).intercept(chain).build();
 * }</pre>
 *
 * <p>This class is thread-safe.
 */
public final class ClientChain {

  private ClientChain() {}

  /**
   * Returns a new builder with no parts.
   *
   * @return the builder; never null
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Collects the parts of a client chain.
   *
   * <p>Not thread-safe; {@link #build()} copies what it needs.
   */
  public static final class Builder {
    private final List<ClientInterceptor> observability = new ArrayList<>();
    private @Nullable ClientInterceptor errorReporting;
    private @Nullable ClientInterceptor locale;
    private final List<ClientInterceptor> application = new ArrayList<>();
    private @Nullable ClientInterceptor tracing;
    private @Nullable CallCredentials credentials;
    private @Nullable ClientInterceptor limits;

    private Builder() {}

    /**
     * Sets the part nearest the application ({@code Limits.clientBuilder()}, a default deadline for
     * calls without one), so the access log and metrics see the deadline it sets.
     *
     * @param interceptor the part; not null
     * @return this builder
     * @throws IllegalStateException when a limits part is already set
     */
    public Builder limits(ClientInterceptor interceptor) {
      limits = once(limits, interceptor, "limits");
      return this;
    }

    /**
     * Sets the part nearest the channel, which sends the trace id and puts it in the MDC around
     * response callbacks.
     *
     * @param interceptor the part; not null
     * @return this builder
     * @throws IllegalStateException when a tracing part is already set
     */
    public Builder tracing(ClientInterceptor interceptor) {
      tracing = once(tracing, interceptor, "tracing");
      return this;
    }

    /**
     * Adds an observability part (access log, metrics); several run in the order added.
     *
     * @param interceptor the part; not null
     * @return this builder
     */
    public Builder observability(ClientInterceptor interceptor) {
      observability.add(interceptor);
      return this;
    }

    /**
     * Sets the part that reports or logs failed calls.
     *
     * @param interceptor the part; not null
     * @return this builder
     * @throws IllegalStateException when an error-reporting part is already set
     */
    public Builder errorReporting(ClientInterceptor interceptor) {
      errorReporting = once(errorReporting, interceptor, "errorReporting");
      return this;
    }

    /**
     * Sets the part that sends {@code accept-language}.
     *
     * @param interceptor the part; not null
     * @return this builder
     * @throws IllegalStateException when a locale part is already set
     */
    public Builder locale(ClientInterceptor interceptor) {
      locale = once(locale, interceptor, "locale");
      return this;
    }

    /**
     * Adds one of the application's own interceptors; they run between locale and tracing, in the
     * order added.
     *
     * @param interceptor the interceptor; not null
     * @return this builder
     */
    public Builder application(ClientInterceptor interceptor) {
      application.add(interceptor);
      return this;
    }

    /**
     * Sets credentials attached to every call that carries none of its own.
     *
     * @param callCredentials the credentials; not null
     * @return this builder
     * @throws IllegalStateException when credentials are already set
     */
    public Builder credentials(CallCredentials callCredentials) {
      if (callCredentials == null) {
        throw new NullPointerException("credentials");
      }
      if (credentials != null) {
        throw new IllegalStateException("credentials already set");
      }
      credentials = callCredentials;
      return this;
    }

    /**
     * Builds the composite interceptor.
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
      return new CompositeClientInterceptor(parts.toArray(new ClientInterceptor[0]));
    }

    private static void addIfSet(List<ClientInterceptor> parts, @Nullable ClientInterceptor part) {
      if (part != null) {
        parts.add(part);
      }
    }

    private static ClientInterceptor once(
        @Nullable ClientInterceptor current, ClientInterceptor next, String slot) {
      if (next == null) {
        throw new NullPointerException(slot);
      }
      if (current != null) {
        throw new IllegalStateException(slot + " already set");
      }
      return next;
    }
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

  /**
   * Runs the parts, application side first. The channels that link the parts ({@link Step}) depend
   * only on the parts and on the channel below the chain, so they are built once per channel and
   * kept in a small direct-mapped cache rather than once per call; see {@code ServerChain}'s
   * composite for the same scheme.
   */
  private static final class CompositeClientInterceptor implements ClientInterceptor {
    /** Slots in the step cache; a chain is usually installed on one channel or a few. */
    static final int CACHE_SLOTS = 16;

    private final ClientInterceptor[] parts;
    private final @Nullable Step[] cache = new Step[CACHE_SLOTS];

    CompositeClientInterceptor(ClientInterceptor[] parts) {
      this.parts = parts;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      if (parts.length == 0) {
        return next.newCall(method, callOptions);
      }
      int slot = System.identityHashCode(next) & (CACHE_SLOTS - 1);
      Step first = cache[slot];
      if (first == null || first.end != next) {
        first = Step.link(parts, next);
        cache[slot] = first;
      }
      return first.newCall(method, callOptions);
    }
  }

  /** Calls one part with the step after it as its channel; immutable. */
  private static final class Step extends Channel {
    private final ClientInterceptor part;
    private final Channel following;

    /** The channel below the last part, which identifies the whole chain of steps. */
    final Channel end;

    private Step(ClientInterceptor part, Channel following, Channel end) {
      this.part = part;
      this.following = following;
      this.end = end;
    }

    /** Builds the steps for {@code parts} (at least one) in front of {@code end}. */
    static Step link(ClientInterceptor[] parts, Channel end) {
      Channel following = end;
      Step step = null;
      for (int i = parts.length - 1; i >= 0; i--) {
        step = new Step(parts[i], following, end);
        following = step;
      }
      if (step == null) {
        throw new IllegalArgumentException("no parts");
      }
      return step;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
      return part.interceptCall(method, callOptions, following);
    }

    @Override
    public String authority() {
      return end.authority();
    }
  }
}

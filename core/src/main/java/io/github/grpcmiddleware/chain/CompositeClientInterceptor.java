package io.github.grpcmiddleware.chain;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import org.jspecify.annotations.Nullable;

/**
 * Runs the parts, application side first. The channels that link the parts ({@link Step}) depend
 * only on the parts and on the channel below the chain, so they are built once per channel and kept
 * in a small direct-mapped cache rather than once per call; see {@code ServerChain}'s composite for
 * the same scheme.
 */
final class CompositeClientInterceptor implements ClientInterceptor {
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

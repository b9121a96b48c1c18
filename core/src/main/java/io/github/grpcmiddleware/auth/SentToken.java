package io.github.grpcmiddleware.auth;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import org.jspecify.annotations.Nullable;

/**
 * What {@link TokenCallCredentials} put on one attempt of a retryable call, so that the retry
 * interceptor can drop exactly that token from the cache when the server rejects it. One instance
 * per attempt, carried in the attempt's {@link CallOptions}; holds no token text of its own.
 */
final class SentToken {
  static final CallOptions.Key<@Nullable SentToken> KEY =
      CallOptions.Key.create("io.github.grpcmiddleware.auth.sentToken");

  private @Nullable TokenCallCredentials credentials; // guarded by this
  private @Nullable Object token; // guarded by this

  /** Returns the attempt's record, or null when the call is not retryable. */
  static @Nullable SentToken of(CallCredentials.RequestInfo requestInfo) {
    try {
      return requestInfo.getCallOptions().getOption(KEY);
    } catch (UnsupportedOperationException e) {
      return null; // a RequestInfo from outside grpc-java's channel
    }
  }

  synchronized void record(TokenCallCredentials credentials, Object token) {
    this.credentials = credentials;
    this.token = token;
  }

  /**
   * Forces the credentials that sent the token to fetch a new one for the next call, unless they
   * already have.
   *
   * @return whether a retry can send a different token: false when no token from a token source was
   *     sent, or when the token is too young to be forced out
   */
  boolean forceRefresh() {
    TokenCallCredentials sender;
    Object sent;
    synchronized (this) {
      sender = credentials;
      sent = token;
    }
    return sender != null && sent != null && sender.invalidate(sent);
  }
}

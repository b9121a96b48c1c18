package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.internal.HeaderKeys;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Configures client {@code CallCredentials}; obtained from {@link Auth#clientBuilder()}. Exactly
 * one of {@link #bearerToken(String)}, {@link #bearerToken(TokenSource)}, {@link #apiKey(String,
 * String)} or {@link #apiKey(String, TokenSource)} says what they send.
 *
 * <pre>{@code
 * CallCredentials credentials = Auth.clientBuilder()
 *     .bearerToken(tokenSource)
 *     .refreshAhead(Duration.ofMinutes(1))
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs and the credentials it returns are
 * thread-safe and meant to be shared by all calls.
 */
public final class AuthClientBuilder {
  private static final String BEARER = "Bearer ";

  private Metadata.@Nullable Key<String> header;
  private String prefix = "";
  private @Nullable String fixedToken;
  private @Nullable TokenSource source;
  private @Nullable String credentialsSet;
  private @Nullable String credentialsSetAgain;
  private Duration refreshAhead = Duration.ofSeconds(60);
  private Duration tokenTimeout = Duration.ofSeconds(10);
  private Duration minFetchInterval = Duration.ofSeconds(1);
  private Clock clock = Clock.systemUTC();
  private @Nullable Executor executor;
  private boolean allowPlaintext;
  private boolean allowPlaintextLoopback;

  AuthClientBuilder() {}

  /**
   * Sends {@code authorization: Bearer <token>} with a fixed token.
   *
   * @param token the token, visible ASCII only (checked by {@code build()}); not null
   * @return this builder
   */
  public AuthClientBuilder bearerToken(String token) {
    Objects.requireNonNull(token, "token");
    return credentials("bearerToken", HeaderKeys.AUTHORIZATION, BEARER, token, null);
  }

  /**
   * Sends {@code authorization: Bearer <token>} with tokens fetched from {@code source}, cached and
   * refreshed ahead of their expiry.
   *
   * @param source fetches tokens with their expiry; not null
   * @return this builder
   */
  public AuthClientBuilder bearerToken(TokenSource source) {
    Objects.requireNonNull(source, "source");
    return credentials("bearerToken", HeaderKeys.AUTHORIZATION, BEARER, null, source);
  }

  /**
   * Sends a fixed API key in the given header.
   *
   * @param headerName the header, for example {@code x-api-key}; a legal ASCII header name not
   *     ending in {@code -bin}; not null
   * @param key the key, visible ASCII only (checked by {@code build()}); not null
   * @return this builder
   * @throws IllegalArgumentException when the header name is illegal
   */
  public AuthClientBuilder apiKey(String headerName, String key) {
    Objects.requireNonNull(headerName, "headerName");
    Objects.requireNonNull(key, "key");
    return credentials("apiKey", HeaderValues.asciiKey(headerName), "", key, null);
  }

  /**
   * Sends API keys fetched from {@code source} in the given header, cached and refreshed ahead of
   * their expiry.
   *
   * @param headerName the header, for example {@code x-api-key}; a legal ASCII header name not
   *     ending in {@code -bin}; not null
   * @param source fetches keys with their expiry; not null
   * @return this builder
   * @throws IllegalArgumentException when the header name is illegal
   */
  public AuthClientBuilder apiKey(String headerName, TokenSource source) {
    Objects.requireNonNull(headerName, "headerName");
    Objects.requireNonNull(source, "source");
    return credentials("apiKey", HeaderValues.asciiKey(headerName), "", null, source);
  }

  private AuthClientBuilder credentials(
      String method,
      Metadata.Key<String> header,
      String prefix,
      @Nullable String fixedToken,
      @Nullable TokenSource source) {
    if (credentialsSet != null && credentialsSetAgain == null) {
      credentialsSetAgain = method;
    } else if (credentialsSet == null) {
      credentialsSet = method;
    }
    this.header = header;
    this.prefix = prefix;
    this.fixedToken = fixedToken;
    this.source = source;
    return this;
  }

  /**
   * Sets how long before its expiry a token is refreshed (default 60 seconds), but never before
   * half of the token's life (from when it was fetched to when it expires) has passed: a token is
   * refreshed at the later of {@code expiry - refreshAhead} and {@code fetched + life / 2}. So a 1
   * hour token is refreshed after 59 minutes, a 30 second token after 15 seconds (not on every
   * call). Calls keep using the old token while one of them fetches the new one. Ignored for fixed
   * tokens.
   *
   * @param skew zero or more; not null
   * @return this builder
   */
  public AuthClientBuilder refreshAhead(Duration skew) {
    Objects.requireNonNull(skew, "skew");
    this.refreshAhead = skew;
    return this;
  }

  /**
   * Sets how long a fetch may take before the calls waiting for it fail with {@code
   * UNAUTHENTICATED} (default 10 seconds); a call's own deadline, when shorter, ends it first with
   * {@code DEADLINE_EXCEEDED}. Ignored for fixed tokens.
   *
   * @param timeout more than zero; not null
   * @return this builder
   */
  public AuthClientBuilder tokenTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    this.tokenTimeout = timeout;
    return this;
  }

  /**
   * Sets the least time between the end of one fetch and the start of the next (default 1 second),
   * so that neither a failing token endpoint nor tokens that live a very short time turn calls into
   * a stream of fetches. A refresh ahead of expiry that is due sooner waits for a later call (the
   * cached token is still valid); a call that has no valid token waits until the interval has
   * passed (within its deadline) and the fetch that then starts. Zero turns the limit off. Ignored
   * for fixed tokens.
   *
   * @param interval zero or more; not null
   * @return this builder
   */
  public AuthClientBuilder minFetchInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    this.minFetchInterval = interval;
    return this;
  }

  /**
   * Sets the clock that expiry instants are compared with (default the system UTC clock); for
   * tests.
   *
   * @param clock the clock; not null
   * @return this builder
   */
  public AuthClientBuilder clock(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    this.clock = clock;
    return this;
  }

  /**
   * Runs the token source on this executor instead of the library's own daemon fetch threads. The
   * executor grpc-java passes to credentials is never used: under {@code directExecutor()} it is
   * the caller's or a transport thread. One fetch runs at a time per credentials object; while a
   * fetch that timed out is still stuck in the source, calls fail at once with {@code
   * UNAUTHENTICATED} instead of starting another, so a hung source holds one thread.
   *
   * @param executor the executor; not null
   * @return this builder
   */
  public AuthClientBuilder executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Sets whether credentials may be sent over any connection without privacy (plaintext). Default
   * {@code false}: such calls fail with {@code UNAUTHENTICATED} and nothing is sent. For local
   * development only.
   *
   * @param allow {@code true} to send credentials in clear text
   * @return this builder
   */
  public AuthClientBuilder allowPlaintext(boolean allow) {
    this.allowPlaintext = allow;
    return this;
  }

  /**
   * Sets whether credentials may be sent in plaintext to a peer on this machine. Default {@code
   * false}. Trusted are: a connection to a loopback IP address when the call is also addressed to
   * this machine (its authority is {@code localhost} or a loopback IP literal); and a connection to
   * a non-IP address (a Unix domain socket). A loopback connection for a call addressed to any
   * other name is refused: the local peer may be an HTTP CONNECT proxy (grpc-java's {@code
   * ProxyDetector}, by default the JVM's {@code https.proxyHost}) that forwards the bytes, still in
   * plaintext, to that host; the client cannot tell a proxy from a local server. A local sidecar
   * reached with {@code overrideAuthority("some-service")} therefore needs {@link
   * #allowPlaintext(boolean)}.
   *
   * @param allow {@code true} to send credentials in clear text to the local host
   * @return this builder
   */
  public AuthClientBuilder allowPlaintextLoopback(boolean allow) {
    this.allowPlaintextLoopback = allow;
    return this;
  }

  /**
   * Builds the credentials.
   *
   * @return the credentials; never null
   * @throws IllegalStateException when none or more than one of {@code bearerToken(...)} and {@code
   *     apiKey(...)} was called
   * @throws IllegalArgumentException when a fixed token has an illegal character (the message never
   *     contains the token) or a duration is out of range
   */
  public CallCredentials build() {
    Metadata.Key<String> key = header;
    if (credentialsSet == null || key == null) {
      throw new IllegalStateException(
          "credentials: not set (expected: one of bearerToken(...) or apiKey(...))");
    }
    if (credentialsSetAgain != null) {
      throw new IllegalStateException(
          "credentials: "
              + credentialsSet
              + "(...) and then "
              + credentialsSetAgain
              + "(...) (expected: one of bearerToken(...) or apiKey(...), called once)");
    }
    if (refreshAhead.isNegative()) {
      throw new IllegalArgumentException("refreshAhead: " + refreshAhead + " (expected: >= 0)");
    }
    if (tokenTimeout.isNegative() || tokenTimeout.isZero()) {
      throw new IllegalArgumentException("tokenTimeout: " + tokenTimeout + " (expected: > 0)");
    }
    if (minFetchInterval.isNegative()) {
      throw new IllegalArgumentException(
          "minFetchInterval: " + minFetchInterval + " (expected: >= 0)");
    }
    if (fixedToken != null && !HeaderValues.isToken(fixedToken, 0)) {
      throw new IllegalArgumentException(
          "token: empty or has a character that is not visible ASCII (expected: 0x21-0x7E only)");
    }
    return new TokenCallCredentials(
        key,
        prefix,
        fixedToken,
        source,
        millis(refreshAhead),
        millis(tokenTimeout),
        millis(minFetchInterval),
        clock,
        executor,
        allowPlaintext,
        allowPlaintextLoopback);
  }

  /** The duration in milliseconds, at most {@code Long.MAX_VALUE} (about 292 million years). */
  private static long millis(Duration duration) {
    try {
      return duration.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}

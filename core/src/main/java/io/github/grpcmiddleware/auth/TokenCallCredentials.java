package io.github.grpcmiddleware.auth;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * Puts a cached token on every call; refreshes it ahead of expiry ({@link #refreshAt}), one fetch
 * at a time and fetches at least {@code minFetchInterval} apart, on the application's executor or
 * the library's own fetch threads (never the executor grpc-java hands over, which may be the
 * caller's or a transport thread). Only the newest fetch may replace the cached token; while a
 * fetch that timed out is still stuck in the source, no other starts, so a source that hangs holds
 * one thread. Every path ends in exactly one of {@code apply} or {@code fail}.
 */
final class TokenCallCredentials extends CallCredentials {

  private static final Status ILLEGAL_CHARACTERS =
      Status.UNAUTHENTICATED.withDescription(
          "Client credentials refused: the token source returned a token that is empty or has a"
              + " character that is not visible ASCII");
  private static final Status NO_TOKEN =
      Status.UNAUTHENTICATED.withDescription(
          "Client credentials unavailable: the token source returned no token");

  /**
   * A token younger than this is not forced out by {@link #invalidate}: a server that rejects every
   * token must not turn each wave of retried calls into a fetch from the token endpoint.
   */
  static final long MIN_AGE_FOR_FORCED_REFRESH_MILLIS = 5_000;

  private static final Status EXPIRED =
      Status.UNAUTHENTICATED.withDescription(
          "Client credentials unavailable: the token source returned an expired token");

  private final Metadata.Key<String> header;
  private final String prefix;
  private final @Nullable TokenSource source;
  private final long refreshAheadMillis;
  private final long tokenTimeoutMillis;
  private final long minFetchIntervalMillis;
  private final Clock clock;
  private final @Nullable Executor executor;
  private final PlaintextAllowance plaintext;

  private final Object lock = new Object();
  private volatile @Nullable Cached current;
  private @Nullable CompletableFuture<Cached> inFlight; // guarded by lock

  /**
   * The fetch whose thread is in the source (or waits for the minimum interval to start), even
   * after its callers timed out.
   */
  private @Nullable CompletableFuture<Cached> running; // guarded by lock

  /** The clock's millis when the last fetch came back from the source; guarded by lock. */
  private long lastFetchEndedAt;

  private boolean fetchedBefore; // guarded by lock

  TokenCallCredentials(
      Metadata.Key<String> header,
      String prefix,
      @Nullable String fixedToken,
      @Nullable TokenSource source,
      long refreshAheadMillis,
      long tokenTimeoutMillis,
      long minFetchIntervalMillis,
      Clock clock,
      @Nullable Executor executor,
      boolean allowPlaintext,
      boolean allowPlaintextLoopback) {
    this.header = header;
    this.prefix = prefix;
    this.source = source;
    this.refreshAheadMillis = refreshAheadMillis;
    this.tokenTimeoutMillis = tokenTimeoutMillis;
    this.minFetchIntervalMillis = minFetchIntervalMillis;
    this.clock = clock;
    this.executor = executor;
    this.plaintext = new PlaintextAllowance(allowPlaintext, allowPlaintextLoopback);
    if (fixedToken != null) {
      current = new Cached(prefix + fixedToken, Long.MAX_VALUE, Long.MAX_VALUE, 0);
    }
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    Status refused = plaintext.refusal(requestInfo);
    if (refused != null) {
      applier.fail(refused);
      return;
    }
    Cached cached = current;
    if (cached != null && source == null) {
      apply(applier, cached, null);
      return;
    }
    SentToken sent = SentToken.of(requestInfo);
    if (cached != null) {
      long now = clock.millis();
      if (now < cached.expiresAtMillis) {
        if (now >= cached.refreshAtMillis) {
          refresh(true);
        }
        apply(applier, cached, sent);
        return;
      }
    }
    CompletableFuture<Cached> fetch = refresh(false);
    if (fetch == null) {
      throw new AssertionError("refresh(false) always returns a fetch");
    }
    fetch.whenComplete(
        (fresh, error) -> {
          if (fresh != null) {
            apply(applier, fresh, sent);
          } else {
            applier.fail(failure(error));
          }
        });
  }

  private void apply(MetadataApplier applier, Cached cached, @Nullable SentToken sent) {
    if (sent != null) {
      sent.record(this, cached);
    }
    Metadata metadata = new Metadata();
    metadata.put(header, cached.headerValue);
    applier.apply(metadata);
  }

  /**
   * Drops {@code sent} from the cache when it is still the cached token and old enough, so that the
   * next call fetches a new one; many callers rejected with the same token cause one fetch.
   *
   * @return whether the next call will not send {@code sent} again
   */
  boolean invalidate(Object sent) {
    synchronized (lock) {
      Cached cached = current;
      if (cached != sent) {
        return true; // already dropped or replaced by a newer token
      }
      if (clock.millis() - cached.fetchedAtMillis < MIN_AGE_FOR_FORCED_REFRESH_MILLIS) {
        return false;
      }
      current = null;
      return true;
    }
  }

  /**
   * Returns the fetch in flight, starting one when there is none. A fetch starts at least {@code
   * minFetchInterval} after the last one came back: a call that needs a token waits for that; a
   * refresh ahead of expiry ({@code ahead}) does not start at all (null), the next call tries
   * again.
   */
  private @Nullable CompletableFuture<Cached> refresh(boolean ahead) {
    CompletableFuture<Cached> future;
    long delayMillis;
    synchronized (lock) {
      if (inFlight != null) {
        return inFlight;
      }
      delayMillis =
          fetchedBefore
              ? minFetchIntervalMillis - Math.max(0, clock.millis() - lastFetchEndedAt)
              : 0;
      if (delayMillis > 0 && ahead) {
        return null;
      }
      future = new CompletableFuture<>();
      if (running != null) {
        // The last fetch timed out and is still in the source: do not strand another thread.
        future.completeExceptionally(
            Status.UNAUTHENTICATED
                .withDescription(
                    "Client credentials unavailable: the token source has not answered the last"
                        + " fetch, which timed out after "
                        + tokenTimeoutMillis
                        + " ms")
                .asException());
        return future;
      }
      inFlight = future;
      running = future;
    }
    if (delayMillis <= 0) {
      start(future);
      return future;
    }
    try {
      TokenTimeouts.schedule(() -> start(future), delayMillis);
    } catch (RuntimeException e) {
      refused(future, e, "the token timer");
    }
    return future;
  }

  private void start(CompletableFuture<Cached> future) {
    ScheduledFuture<?> timeout;
    try {
      timeout =
          TokenTimeouts.schedule(
              () ->
                  finish(
                      future,
                      null,
                      Status.UNAUTHENTICATED
                          .withDescription(
                              "Client credentials unavailable: the token source did not answer"
                                  + " within "
                                  + tokenTimeoutMillis
                                  + " ms")
                          .asException()),
              tokenTimeoutMillis);
    } catch (RuntimeException e) {
      refused(future, e, "the token timer");
      return;
    }
    Executor fetchExecutor = executor != null ? executor : TokenTimeouts.fetchExecutor();
    try {
      fetchExecutor.execute(() -> fetch(future, timeout));
    } catch (RuntimeException e) {
      timeout.cancel(false);
      refused(future, e, "the executor");
    }
  }

  /** Ends a fetch that never reached the source because {@code refuser} threw {@code e}. */
  private void refused(CompletableFuture<Cached> future, RuntimeException e, String refuser) {
    finishRunning(
        future,
        null,
        Status.UNAUTHENTICATED
            .withDescription(
                "Client credentials unavailable: "
                    + refuser
                    + " refused to run the token source ("
                    + e.getClass().getName()
                    + ")")
            .withCause(e)
            .asException());
  }

  private void fetch(CompletableFuture<Cached> future, ScheduledFuture<?> timeout) {
    TokenSource tokenSource = source;
    Cached fresh = null;
    Throwable error = null;
    try {
      AccessToken token = tokenSource == null ? null : tokenSource.fetch();
      if (token == null) {
        error = NO_TOKEN.asException();
      } else if (!HeaderValues.isToken(token.getToken(), 0)) {
        error = ILLEGAL_CHARACTERS.asException();
      } else {
        long expiresAt = toMillis(token.getExpiresAt());
        long now = clock.millis();
        if (expiresAt <= now) {
          error = EXPIRED.asException();
        } else {
          fresh =
              new Cached(
                  prefix + token.getToken(),
                  expiresAt,
                  refreshAt(now, expiresAt, refreshAheadMillis),
                  now);
        }
      }
    } catch (Throwable t) {
      error = t;
      if (t instanceof Error) {
        timeout.cancel(false);
        finishRunning(future, null, t);
        throw (Error) t;
      }
    }
    timeout.cancel(false);
    finishRunning(future, fresh, error);
  }

  /** Ends the fetch whose thread is back from the source. */
  private void finishRunning(
      CompletableFuture<Cached> future, @Nullable Cached fresh, @Nullable Throwable error) {
    synchronized (lock) {
      fetchedBefore = true;
      lastFetchEndedAt = clock.millis();
      if (running == future) {
        running = null;
        // No other fetch started while this one ran, so its token is the newest there is, even
        // when its callers already gave up on it.
        if (fresh != null) {
          current = fresh;
        }
      }
    }
    finish(future, fresh, error);
  }

  private void finish(
      CompletableFuture<Cached> future, @Nullable Cached fresh, @Nullable Throwable error) {
    synchronized (lock) {
      if (inFlight == future) {
        inFlight = null;
      }
    }
    if (fresh != null) {
      future.complete(fresh);
    } else {
      future.completeExceptionally(
          error != null ? error : new IllegalStateException("no token and no error"));
    }
  }

  /**
   * When a token fetched at {@code now} is refreshed: {@code refreshAhead} before it expires, but
   * never before half its life has passed. Long-lived tokens keep the documented schedule (a minute
   * ahead by default); a token that lives no longer than twice {@code refreshAhead} (a 30 s
   * workload-identity token with the 60 s default) is used for half its life and refreshed while
   * the other half remains for the fetch to answer, so it costs two fetches per life at most
   * instead of one per call. A token that never expires is never refreshed.
   */
  static long refreshAt(long now, long expiresAt, long refreshAheadMillis) {
    if (expiresAt == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    long halfLife = (now & expiresAt) + ((now ^ expiresAt) >> 1); // their mean, without overflow
    long ahead = expiresAt - refreshAheadMillis;
    if (ahead > expiresAt) {
      ahead = Long.MIN_VALUE; // underflow
    }
    return Math.max(halfLife, ahead);
  }

  private static long toMillis(@Nullable Instant instant) {
    if (instant == null) {
      return Long.MAX_VALUE;
    }
    try {
      return instant.toEpochMilli();
    } catch (ArithmeticException e) {
      return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** Turns why a fetch failed into the status of the waiting calls; never quotes a message. */
  private static Status failure(@Nullable Throwable error) {
    if (error instanceof io.grpc.StatusException) {
      Status status = ((io.grpc.StatusException) error).getStatus();
      if (status.getCode() == Status.Code.UNAUTHENTICATED) {
        return status;
      }
    }
    String type = error == null ? "unknown" : error.getClass().getName();
    return Status.UNAUTHENTICATED
        .withDescription("Client credentials unavailable: the token source failed (" + type + ")")
        .withCause(error);
  }

  /** A token ready to send, with when it expires and when to fetch the next one. */
  private static final class Cached {
    final String headerValue;
    final long expiresAtMillis;
    final long refreshAtMillis;
    final long fetchedAtMillis;

    Cached(String headerValue, long expiresAtMillis, long refreshAtMillis, long fetchedAtMillis) {
      this.headerValue = headerValue;
      this.expiresAtMillis = expiresAtMillis;
      this.refreshAtMillis = refreshAtMillis;
      this.fetchedAtMillis = fetchedAtMillis;
    }
  }
}

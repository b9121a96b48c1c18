package io.github.grpcmiddleware.internal;

import io.grpc.Status;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>What few calls need of their record: the deadline the access log reports, an end waiting for
 * the start, observers beyond two, a second Context system's bracket, more pipelines joining,
 * events held while a start decision waits. Kept apart so that the record of an ordinary call stays
 * small (its bytes are what the benchmarks measure); made on first need.
 */
final class CallExtras {
  long deadlineNanos = -1;

  // Guarded by the record's monitor.
  @Nullable Status pendingEnd;
  ServerCallObserver @Nullable [] moreObservers;
  int moreObserverCount;

  @Nullable ContextBracket extraBracket;
  @Nullable Object extraToken;

  @Nullable ServerPipeline joined;
  ServerPipeline @Nullable [] moreJoined;

  // The owner's held events while a start decision waits; guarded by the record's monitor.
  int holds;
  @Nullable ArrayDeque<Object> held;
}

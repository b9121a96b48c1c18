package io.github.grpcmiddleware.otel.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the recorded spans started and not yet ended. Every span of a call starts before the call
 * can end at the client, so once the client has its status and this count is back to zero, no
 * further span of that call can show up: a test waits on that instead of sleeping. Register it
 * after the exporting processor, so a span is exported before it counts as ended. Part of {@link
 * InMemoryOtel}.
 */
final class OpenSpans implements SpanProcessor {
  private final AtomicInteger open = new AtomicInteger();

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    open.incrementAndGet();
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    open.decrementAndGet();
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  /** Waits until every span started so far has ended (and been exported). */
  void awaitAllEnded() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (open.get() != 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    assertThat(open.get()).as("spans started and not ended").isZero();
  }
}

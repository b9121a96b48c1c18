package io.github.grpcmiddleware.testsupport;

import java.lang.reflect.Field;
import org.slf4j.MDC;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.spi.MDCAdapter;

/**
 * For one test, an MDC that child threads inherit, as with slf4j-simple and SLF4J's fallback (both
 * use {@link BasicMDCAdapter}, an {@code InheritableThreadLocal}) or log4j2 with {@code
 * isThreadContextMapInheritable}; the tests' logback copies nothing to new threads, so a test of "a
 * library thread keeps nothing of its creator's MDC" could not fail under it. Swaps SLF4J's MDC
 * adapter for the JVM until {@link #close()} (SLF4J 2.0's {@code MDC.MDC_ADAPTER}); core's tests
 * run one at a time.
 */
public final class InheritedMdc implements AutoCloseable {
  private final Field field;
  private final Object previous;

  private InheritedMdc(Field field, Object previous) {
    this.field = field;
    this.previous = previous;
  }

  /** Installs an inheriting MDC adapter; close the result to put the binding's back. */
  public static InheritedMdc install() {
    try {
      MDCAdapter previous = MDC.getMDCAdapter(); // initialises the binding's adapter first
      Field field = MDC.class.getDeclaredField("MDC_ADAPTER");
      field.setAccessible(true);
      field.set(null, new BasicMDCAdapter());
      return new InheritedMdc(field, previous);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(
          "SLF4J's MDC has no MDC_ADAPTER field any more: update this helper", e);
    }
  }

  @Override
  public void close() {
    try {
      field.set(null, previous);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }
}

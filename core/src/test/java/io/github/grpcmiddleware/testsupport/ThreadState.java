package io.github.grpcmiddleware.testsupport;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * What a thread carries that it may have taken over from the thread that started it, read on the
 * thread itself: for tests that a library thread keeps nothing of its creator.
 *
 * @param inherited the thread's value of the test's own {@code InheritableThreadLocal}
 */
public record ThreadState(
    String name,
    boolean daemon,
    @Nullable ClassLoader contextClassLoader,
    Map<String, String> mdc,
    @Nullable String inherited) {

  /** The calling thread's state; {@code inheritable} stands for an application's thread-local. */
  public static ThreadState ofCurrentThread(InheritableThreadLocal<String> inheritable) {
    Thread thread = Thread.currentThread();
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    return new ThreadState(
        thread.getName(),
        thread.isDaemon(),
        thread.getContextClassLoader(),
        mdc == null ? Map.of() : mdc,
        inheritable.get());
  }
}

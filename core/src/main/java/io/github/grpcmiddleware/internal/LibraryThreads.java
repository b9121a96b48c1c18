package io.github.grpcmiddleware.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Makes every thread the library owns (token fetches and their timeouts, the deadline cap's timer):
 * a daemon that keeps nothing of the application thread that happened to start it, so that a
 * redeployed application's class loader is not pinned and nothing of that first call shows up in
 * what the thread logs. Such a thread has no context class loader; inherits no {@code
 * InheritableThreadLocal} value (Java 9 and later; on Java 8 it inherits them, and its MDC is
 * cleared before its task runs, whatever the SLF4J binding copied); and does not keep the access
 * control context of the code that created it (Java 8 to 23 keep it, and with it the protection
 * domains and class loaders of every class on the creating thread's stack). Pools that use these
 * threads must also let them end when idle.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 */
public final class LibraryThreads {

  /** {@code Thread(ThreadGroup, Runnable, String, long, boolean inheritThreadLocals)}, Java 9+. */
  private static final @Nullable MethodHandle WITHOUT_INHERITED_LOCALS = threadConstructor();

  private LibraryThreads() {}

  /**
   * Returns a new, unstarted library thread that runs {@code task} with an empty MDC.
   *
   * @param task what the thread runs; not null
   * @param name the thread's name; not null
   * @return the thread; never null
   */
  public static Thread newThread(Runnable task, String name) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(name, "name");
    Runnable withEmptyMdc =
        () -> {
          MDC.clear();
          task.run();
        };
    Thread thread;
    try {
      // Created inside a privileged block, the thread's access control context is this class's
      // alone, not the stack of whatever application code called in.
      thread = Privileged.create(withEmptyMdc, name);
    } catch (LinkageError e) {
      thread = create(withEmptyMdc, name); // a Java without AccessController
    }
    thread.setDaemon(true);
    thread.setPriority(Thread.NORM_PRIORITY);
    thread.setContextClassLoader(null);
    return thread;
  }

  /**
   * Returns a factory of {@link #newThread library threads}, for an executor.
   *
   * @param name the name of every thread it makes; not null
   * @return the factory; never null
   */
  public static ThreadFactory factory(String name) {
    Objects.requireNonNull(name, "name");
    return task -> newThread(task, name);
  }

  private static Thread create(Runnable task, String name) {
    MethodHandle constructor = WITHOUT_INHERITED_LOCALS;
    if (constructor == null) {
      return new Thread(task, name);
    }
    try {
      return (Thread) constructor.invokeExact((ThreadGroup) null, task, name, 0L, false);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e); // the constructor declares no checked exception
    }
  }

  private static @Nullable MethodHandle threadConstructor() {
    try {
      return MethodHandles.publicLookup()
          .findConstructor(
              Thread.class,
              MethodType.methodType(
                  void.class,
                  ThreadGroup.class,
                  Runnable.class,
                  String.class,
                  long.class,
                  boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // Java 8
    }
  }

  /** Kept apart so that a Java without {@code AccessController} fails only this class's link. */
  private static final class Privileged {
    static Thread create(Runnable task, String name) {
      return AccessController.doPrivileged(
          (PrivilegedAction<Thread>) () -> LibraryThreads.create(task, name));
    }
  }
}

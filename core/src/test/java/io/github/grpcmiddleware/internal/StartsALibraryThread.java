package io.github.grpcmiddleware.internal;

import java.util.function.Function;

/**
 * Application code that starts a library thread; {@link LibraryThreadsTest} loads it with an
 * application's own class loader. Public, as that loader makes it a different runtime package.
 */
public final class StartsALibraryThread implements Function<Runnable, Thread> {

  /** For the application loader's reflection. */
  public StartsALibraryThread() {}

  @Override
  public Thread apply(Runnable task) {
    Thread thread = LibraryThreads.newThread(task, "grpc-middleware-test");
    thread.start();
    return thread;
  }
}

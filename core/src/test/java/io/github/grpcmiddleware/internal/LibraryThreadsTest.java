package io.github.grpcmiddleware.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.grpcmiddleware.testsupport.ApplicationLoader;
import io.github.grpcmiddleware.testsupport.InheritedMdc;
import io.github.grpcmiddleware.testsupport.ThreadState;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The library's own threads keep nothing of the application thread that started them: not its
 * context class loader, its MDC, its inheritable thread-locals, nor (through the access control
 * context Java 8 to 23 copy into every new thread) the class loaders of the code on its stack.
 */
class LibraryThreadsTest {

  private static final InheritableThreadLocal<String> APP_LOCAL = new InheritableThreadLocal<>();

  @Test
  void aLibraryThreadKeepsNothingOfTheThreadThatStartedIt() throws Exception {
    CompletableFuture<ThreadState> seen = new CompletableFuture<>();
    ClassLoader appLoader = new ApplicationLoader();
    try (InheritedMdc mdc = InheritedMdc.install()) {
      CompletableFuture<Map<String, String>> plainThreadMdc = new CompletableFuture<>();
      Thread starter =
          new Thread(
              () -> {
                MDC.put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
                APP_LOCAL.set("request-17");
                Thread plain =
                    new Thread(
                        () ->
                            plainThreadMdc.complete(ThreadState.ofCurrentThread(APP_LOCAL).mdc()));
                plain.start();
                LibraryThreads.newThread(
                        () -> seen.complete(ThreadState.ofCurrentThread(APP_LOCAL)),
                        "grpc-middleware-test")
                    .start();
              });
      starter.setContextClassLoader(appLoader);
      starter.start();
      starter.join();

      // The MDC installed here is inherited by ordinary threads, so the next check can fail.
      assertThat(plainThreadMdc.get(10, TimeUnit.SECONDS))
          .containsEntry("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
      ThreadState library = seen.get(10, TimeUnit.SECONDS);
      assertThat(library.name()).isEqualTo("grpc-middleware-test");
      assertThat(library.daemon()).isTrue();
      assertThat(library.contextClassLoader()).isNull();
      assertThat(library.mdc()).isEmpty();
      assertThat(library.inherited()).isNull();
    }
  }

  @Test
  void aThreadStartedByApplicationCodeDoesNotKeepTheApplicationsClassLoader() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    Runnable holdsTheThread =
        () -> {
          running.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    Thread[] started = new Thread[1];
    WeakReference<ClassLoader> appLoader = startFromApplicationCode(holdsTheThread, started);
    try {
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(ApplicationLoader.awaitCollected(appLoader))
          .as("the application's class loader is collected while the library thread runs")
          .isTrue();
      assertThat(started[0].isAlive()).isTrue();
    } finally {
      release.countDown();
    }
    started[0].join(10_000);
  }

  @Test
  @SuppressWarnings("NullAway") // the nulls under test
  void nullsAreRejectedNamingTheParameter() {
    assertThatThrownBy(() -> LibraryThreads.newThread(null, "n")).hasMessage("task");
    assertThatThrownBy(() -> LibraryThreads.newThread(() -> {}, null)).hasMessage("name");
    assertThatThrownBy(() -> LibraryThreads.factory(null)).hasMessage("name");
  }

  /** Starts the thread from a class of a fresh application loader; keeps only a weak reference. */
  private static WeakReference<ClassLoader> startFromApplicationCode(
      Runnable task, Thread[] started) throws InterruptedException {
    ApplicationLoader loader = new ApplicationLoader(StartsALibraryThread.class);
    @SuppressWarnings("unchecked")
    Function<Runnable, Thread> app = loader.newInstance(StartsALibraryThread.class, Function.class);
    // As a servlet container does: the request thread's context class loader is the application's.
    Thread request =
        new Thread(
            () -> {
              MDC.put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
              started[0] = app.apply(task);
            });
    request.setContextClassLoader(loader);
    request.start();
    request.join();
    return new WeakReference<>(loader);
  }
}

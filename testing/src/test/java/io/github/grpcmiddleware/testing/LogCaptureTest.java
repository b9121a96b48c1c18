package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Log capture through logback, on the test thread and on a real server's handler threads. */
class LogCaptureTest {
  static final String FIXTURE_LOGGER = "grpcmiddleware.test.fixture";
  static final List<String> SEEN = new CopyOnWriteArrayList<>();
  static final Logger handlerLog = LoggerFactory.getLogger("grpcmiddleware.test.handler");

  @RegisterExtension final LogCapture logs = LogCapture.forLogger("grpcmiddleware.test");

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new EchoService(() -> handlerLog.info("handled {}", "call")))
          .interceptor(new MdcTagInterceptor())
          .build();

  static ch.qos.logback.classic.Logger logback(String name) {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(name);
  }

  @Test
  void capturesLevelLoggerMessageMdcThrowableAndThread() {
    Logger log = LoggerFactory.getLogger("grpcmiddleware.test.direct");
    IllegalStateException failure = new IllegalStateException("bad");
    MDC.put("traceId", "abc");
    try {
      log.warn("user {} not found", 7, failure);
    } finally {
      MDC.remove("traceId");
    }
    LoggerFactory.getLogger("other.logger").warn("not captured");

    assertThat(logs.events())
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.level()).isEqualTo("WARN");
              assertThat(event.loggerName()).isEqualTo("grpcmiddleware.test.direct");
              assertThat(event.message()).isEqualTo("user 7 not found");
              assertThat(event.mdc()).containsExactly(java.util.Map.entry("traceId", "abc"));
              assertThat(event.throwable()).isSameAs(failure);
              assertThat(event.threadName()).isEqualTo(Thread.currentThread().getName());
              assertThat(event.toString()).contains("WARN", "user 7 not found", "traceId=abc");
            });
    assertThat(logs.messages()).containsExactly("user 7 not found");
  }

  @Test
  void capturesWhatAHandlerLoggedWithTheMdcOfItsThread() {
    Metadata headers = new Metadata();
    headers.put(MdcTagInterceptor.TAG, "call-42");
    grpc.stub(
            SimpleServiceGrpc::newBlockingStub, MetadataUtils.newAttachHeadersInterceptor(headers))
        .unaryRpc(request("x"));

    LoggedEvent line = logs.await(e -> e.message().equals("handled call"), Duration.ofSeconds(5));
    assertThat(line.mdc()).containsEntry("tag", "call-42");
    assertThat(line.threadName()).startsWith("grpc-test-server-");
  }

  @Test
  void eventsFromManyThreadsAreAllKept() throws Exception {
    Logger log = LoggerFactory.getLogger("grpcmiddleware.test.threads");
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 250; i++) {
                  log.info("line {}", i);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(logs.events()).hasSize(2_000);
    logs.clear();
    assertThat(logs.events()).isEmpty();
  }

  @Test
  void awaitTimesOutWithEverythingItCaptured() {
    LoggerFactory.getLogger("grpcmiddleware.test.await").info("something else");

    assertThatThrownBy(() -> logs.await(e -> e.level().equals("ERROR"), Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no matching event on logger \"grpcmiddleware.test\" within 50 ms")
        .hasMessageContaining("INFO [")
        .hasMessageContaining("grpcmiddleware.test.await - something else");
  }

  @Test
  void badLevelsAreRejected() {
    assertThatThrownBy(() -> LogCapture.forLogger("x").atLevel("LOUD"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("level: LOUD (expected: TRACE, DEBUG, INFO, WARN, ERROR, ALL or OFF)");
    assertThatThrownBy(() -> LogCapture.forLogger(""))
        .hasMessage("loggerName: \"\" (expected: not empty)");
  }

  @Test
  @SuppressWarnings("NullAway") // nulls where the API must reject them
  void nullsAreRejectedNamingTheParameter() {
    assertThatThrownBy(() -> LogCapture.forLogger((String) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("loggerName");
    assertThatThrownBy(() -> LogCapture.forLogger((Class<?>) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("type");
    assertThatThrownBy(() -> logs.atLevel(null)).hasMessage("levelName");
    assertThatThrownBy(() -> logs.setLevel(null)).hasMessage("levelName");
    assertThatThrownBy(() -> logs.events(null)).hasMessage("levelName");
    assertThatThrownBy(() -> logs.await(null, Duration.ofSeconds(1))).hasMessage("condition");
    assertThatThrownBy(() -> logs.await(e -> true, null)).hasMessage("timeout");
    assertThatThrownBy(() -> logs.awaitEvents(1, null)).hasMessage("timeout");
  }

  @Test
  void capturesTheKeyValuePairsOfTheFluentApiInOrder() {
    Logger log = LoggerFactory.getLogger("grpcmiddleware.test.fluent");
    log.atInfo()
        .addKeyValue("grpc.code", "OK")
        .addKeyValue("elapsedMs", 12L)
        .addKeyValue("absent", (Object) null)
        .log("call ended");
    log.info("plain");

    List<LoggedEvent> events = logs.events();
    assertThat(events).hasSize(2);
    assertThat(events.get(0).message()).isEqualTo("call ended");
    assertThat(events.get(0).keyValues().keySet())
        .containsExactly("grpc.code", "elapsedMs", "absent");
    assertThat(events.get(0).keyValues())
        .containsEntry("grpc.code", "OK")
        .containsEntry("elapsedMs", 12L)
        .containsEntry("absent", null);
    assertThat(events.get(0).toString()).contains("grpc.code=OK");
    assertThat(events.get(1).keyValues()).isEmpty();
    assertThatThrownBy(() -> events.get(0).keyValues().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void eventsOfOneLevel() {
    Logger log = LoggerFactory.getLogger("grpcmiddleware.test.levels");
    log.info("first info");
    log.warn("a warning");
    log.info("second info");

    assertThat(logs.events("info"))
        .extracting(LoggedEvent::message)
        .containsExactly("first info", "second info");
    assertThat(logs.events("WARN")).extracting(LoggedEvent::message).containsExactly("a warning");
    assertThat(logs.events("ERROR")).isEmpty();
    assertThatThrownBy(() -> logs.events("ALL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("level: ALL (expected: TRACE, DEBUG, INFO, WARN or ERROR)");
  }

  @Test
  void awaitEventsWaitsForLinesAHandlerLogsAfterTheResponse() {
    grpc.stub(SimpleServiceGrpc::newBlockingStub).unaryRpc(request("x"));
    grpc.stub(SimpleServiceGrpc::newBlockingStub).unaryRpc(request("y"));

    assertThat(logs.awaitEvents(2, Duration.ofSeconds(5)))
        .extracting(LoggedEvent::message)
        .containsExactly("handled call", "handled call");
  }

  @Test
  void awaitEventsFailsOnTooFewAndOnTooMany() {
    Logger log = LoggerFactory.getLogger("grpcmiddleware.test.count");
    log.info("one");
    log.info("two");

    assertThat(logs.awaitEvents(2, Duration.ofSeconds(5)))
        .extracting(LoggedEvent::message)
        .containsExactly("one", "two");
    assertThatThrownBy(() -> logs.awaitEvents(3, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "expected 3 events on logger \"grpcmiddleware.test\" within 50 ms, captured 2:")
        .hasMessageContaining("grpcmiddleware.test.count - two");
    assertThatThrownBy(() -> logs.awaitEvents(1, Duration.ofSeconds(5)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected 1 events")
        .hasMessageContaining("captured 2:");
    assertThatThrownBy(() -> logs.awaitEvents(0, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("count: 0 (expected: > 0)");
  }

  @Test
  void setLevelOutsideATestIsRejected() {
    LogCapture notAttached = LogCapture.forLogger("grpcmiddleware.test.detached");

    assertThatThrownBy(() -> notAttached.setLevel("DEBUG"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no test is running on logger \"grpcmiddleware.test.detached\"");
    assertThatThrownBy(() -> logs.setLevel("LOUD"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("level: LOUD (expected: TRACE, DEBUG, INFO, WARN, ERROR, ALL or OFF)");
  }

  @Test
  void setLevelChangesTheLevelMidTestAndTheLevelFromBeforeIsRestored() {
    EngineExecutionResults results = TestKit.run(SetLevelFixture.class);

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(SET_LEVEL_SEEN)
        .containsExactlyInAnyOrder("[info seen]", "[info seen, error seen]", "[info seen]");
    ch.qos.logback.classic.Logger logger = logback(SET_LEVEL_LOGGER);
    assertThat(logger.getLevel()).isEqualTo(Level.WARN);
    assertThat(logger.iteratorForAppenders().hasNext()).isFalse();
  }

  static final String SET_LEVEL_LOGGER = "grpcmiddleware.test.setlevel";
  static final List<String> SET_LEVEL_SEEN = new CopyOnWriteArrayList<>();

  static class SetLevelFixture {
    @RegisterExtension
    final LogCapture logs = LogCapture.forLogger(SET_LEVEL_LOGGER).atLevel("INFO");

    static {
      logback(SET_LEVEL_LOGGER).setLevel(Level.WARN);
    }

    @Test
    void offInTheMiddle() {
      Logger log = LoggerFactory.getLogger(SET_LEVEL_LOGGER);
      log.info("info seen");
      logs.setLevel("off");
      log.error("error not seen");
      SET_LEVEL_SEEN.add(logs.messages().toString());
    }

    @Test
    void startsFromTheConfiguredLevelAgain() {
      Logger log = LoggerFactory.getLogger(SET_LEVEL_LOGGER);
      log.info("info seen");
      SET_LEVEL_SEEN.add(logs.messages().toString());
      logs.setLevel("ERROR");
      log.info("info not seen");
      log.error("error seen");
      SET_LEVEL_SEEN.add(logs.messages().toString());
    }
  }

  @Test
  void aLevelIsSetForTheTestAndTheAppenderDetachedAfterPassAndFail() {
    EngineExecutionResults results = TestKit.run(LevelFixture.class);

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
    assertThat(SEEN).containsExactlyInAnyOrder("debug seen", "debug seen");
    ch.qos.logback.classic.Logger logger = logback(FIXTURE_LOGGER);
    assertThat(logger.getLevel()).isEqualTo(Level.WARN);
    assertThat(logger.iteratorForAppenders().hasNext()).isFalse();
  }

  static class LevelFixture {
    @RegisterExtension
    static final LogCapture logs = LogCapture.forLogger(FIXTURE_LOGGER).atLevel("debug");

    static {
      logback(FIXTURE_LOGGER).setLevel(Level.WARN);
    }

    @Test
    void passes() {
      LoggerFactory.getLogger(FIXTURE_LOGGER).debug("debug seen");
      SEEN.addAll(logs.messages());
    }

    @Test
    void fails() {
      LoggerFactory.getLogger(FIXTURE_LOGGER).debug("debug seen");
      SEEN.addAll(logs.messages());
      throw new AssertionError("fails on purpose");
    }
  }
}

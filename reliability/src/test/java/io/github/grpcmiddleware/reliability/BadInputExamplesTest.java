package io.github.grpcmiddleware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bad-input cases RELIABILITY.md names one by one, through the full chain on Netty: every
 * invalid traceparent starts a new trace and the call succeeds with nothing logged above DEBUG;
 * unsafe x-request-ids never reach the MDC; every malformed Accept-Language gives the default
 * locale, huge ones included, at a sustained rate.
 */
class BadInputExamplesTest {
  private static final String ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @RegisterExtension final LogCapture logs = LogCapture.forLogger("io.github.grpcmiddleware");

  /** Sends each header set on a unary call; returns the probe's log line of each, in order. */
  private List<LoggedEvent> send(List<Metadata> headerSets) throws Exception {
    ProbeService probe = new ProbeService();
    try (ChainServer server = ChainServer.start(3, Chains.server(), probe)) {
      SimpleServiceGrpc.SimpleServiceStub stub =
          SimpleServiceGrpc.newStub(server.channel(Chains.client(Chains.TOKEN_A)));
      List<CompletableFuture<Rpc.Outcome>> calls = new ArrayList<>();
      for (int i = 0; i < headerSets.size(); i++) {
        calls.add(Rpc.start(stub, Rpc.Kind.UNARY, headerSets.get(i), "call-" + i, 1, 10_000));
      }
      for (CompletableFuture<Rpc.Outcome> call : calls) {
        Rpc.Outcome outcome = call.get(20, TimeUnit.SECONDS);
        assertThat(outcome.status().getCode()).isEqualTo(Status.Code.OK);
        assertThat(outcome.header(Rpc.X_TRACE_ID)).matches("[0-9a-f]{32}");
      }
    }
    List<LoggedEvent> lines = new ArrayList<>();
    for (int i = 0; i < headerSets.size(); i++) {
      String name = "call-" + i;
      lines.add(
          logs.events().stream()
              .filter(e -> e.message().endsWith(" " + name))
              .findFirst()
              .orElseThrow());
    }
    assertThat(logs.events())
        .noneMatch(e -> e.level().equals("INFO") && !e.loggerName().equals(ProbeService.LOGGER))
        .noneMatch(e -> e.level().equals("WARN") || e.level().equals("ERROR"));
    return lines;
  }

  private static Metadata header(String name, String... values) {
    Metadata headers = new Metadata();
    for (String value : values) {
      headers.put(Rpc.ascii(name), value);
    }
    return headers;
  }

  @Test
  void everyInvalidTraceparentStartsANewTraceAndTheCallSucceeds() throws Exception {
    List<String> invalid =
        List.of(
            "ff-" + ID + "-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-" + ID + "-0000000000000000-01",
            "00-" + ID.toUpperCase() + "-00f067aa0ba902b7-01",
            "00-" + ID + "-00f067aa0ba902b7-01-extra",
            "00-" + ID + "-00f067aa0ba902b7-1",
            "00-" + ID.substring(1) + "-00f067aa0ba902b7-01",
            "0-" + ID + "-00f067aa0ba902b7-01",
            "00_" + ID + "_00f067aa0ba902b7_01",
            "",
            "garbage");
    List<Metadata> sets = new ArrayList<>();
    for (String value : invalid) {
      Metadata headers = header("traceparent", value);
      headers.put(Rpc.ascii("tracestate"), "vendor=dropped");
      sets.add(headers);
    }
    sets.add(
        header(
            "traceparent",
            "00-" + ID + "-00f067aa0ba902b7-01",
            "00-" + "a".repeat(32) + "-00f067aa0ba902b7-01"));
    sets.add(header("traceparent", "01-" + ID + "-00f067aa0ba902b7-01-future-fields"));
    sets.add(header("traceparent", "00-" + ID + "-00f067aa0ba902b7-01"));
    List<LoggedEvent> lines = send(sets);
    for (int i = 0; i < invalid.size() + 1; i++) {
      assertThat(lines.get(i).mdc().get("traceId"))
          .as("case %d", i)
          .matches("[0-9a-f]{32}")
          .isNotEqualTo(ID);
    }
    assertThat(lines.get(invalid.size() + 1).mdc()).containsEntry("traceId", ID);
    assertThat(lines.get(invalid.size() + 2).mdc()).containsEntry("traceId", ID);
  }

  @Test
  void unsafeRequestIdsNeverReachTheMdc() throws Exception {
    List<String> unsafe =
        List.of("", "x".repeat(65), "req\r\nINFO forged", "réq", "${jndi:ldap://x/a}", "a b", "%n");
    List<Metadata> sets = new ArrayList<>();
    for (String value : unsafe) {
      sets.add(header("x-request-id", value));
    }
    sets.add(header("x-request-id", "one", "two"));
    sets.add(header("x-request-id", "req-7.ok_ID"));
    List<LoggedEvent> lines = send(sets);
    for (int i = 0; i < unsafe.size() + 1; i++) {
      assertThat(lines.get(i).mdc()).as("case %d", i).doesNotContainKey("requestId");
    }
    assertThat(lines.get(unsafe.size() + 1).mdc()).containsEntry("requestId", "req-7.ok_ID");
    assertThat(logs.messages()).noneMatch(m -> m.contains("forged") || m.contains("jndi"));
  }

  @Test
  void malformedAndHugeAcceptLanguageGiveTheDefaultOrBestLocale() throws Exception {
    List<String> toDefault =
        List.of(
            "",
            "*",
            "q=0.5",
            "en;q=2",
            "zh-CN;q=-1",
            "zh-CN;q=0",
            ";;;,,,",
            "x-klingon",
            "zh-CN;q=abc",
            "\u00e9\u00e8",
            "de-DE-1996-x-private;q=0.5",
            "zz-ZZ, yy;q=0.9");
    List<String> expected = new ArrayList<>();
    List<Metadata> sets = new ArrayList<>();
    for (String value : toDefault) {
      sets.add(header("accept-language", value));
      expected.add("en");
    }
    int rate = Scale.of(200);
    // zh-CN sits past both bounds (4,096 characters, 32 ranges): only the unknown ranges are
    // read, so the answer is the default.
    String huge = "xx-YY;q=0.1, ".repeat(550) + "zh-CN;q=0.9";
    for (int i = 0; i < rate; i++) {
      sets.add(header("accept-language", huge));
      expected.add("en");
    }
    sets.add(header("accept-language", "fr;q=0.9, zh-CN;q=0.8, en;q=0.1"));
    expected.add("zh-CN");
    // zh-TW (Traditional) matches nothing supported; zh then picks Simplified.
    sets.add(header("accept-language", "zh-TW, zh;q=0.5"));
    expected.add("zh-CN");
    List<LoggedEvent> lines = send(sets);
    for (int i = 0; i < sets.size(); i++) {
      assertThat(lines.get(i).mdc().get("locale")).as("case %d", i).isEqualTo(expected.get(i));
    }
  }
}

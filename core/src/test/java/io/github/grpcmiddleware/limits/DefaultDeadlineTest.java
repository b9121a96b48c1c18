package io.github.grpcmiddleware.limits;

import static io.github.grpcmiddleware.limits.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testing.LoggedEvent;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ServerInterceptor;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DefaultDeadlineTest {
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(5);

  @RegisterExtension
  final LogCapture log = LogCapture.forLogger(AccessLog.CLIENT_LOGGER_NAME).atLevel("INFO");

  private static final ServerInterceptor NO_LIMITS = Limits.serverBuilder().build();
  private static final Pattern DEADLINE = Pattern.compile(" deadline=(\\d+)ms");

  private static ClientInterceptor defaultOf(Duration timeout) {
    return Limits.clientBuilder().defaultDeadline(MethodSelector.of("*"), timeout).build();
  }

  private static long seen(Harness h) {
    return Long.parseLong(h.blocking().unaryRpc(request("deadline")).getResponseMessage());
  }

  @Test
  void callWithoutDeadlineGetsTheDefault() throws Exception {
    try (Harness h =
        Harness.inProcess(new ControlledService(), NO_LIMITS, defaultOf(Duration.ofSeconds(5)))) {
      assertThat(seen(h)).isPositive().isLessThanOrEqualTo(5_000);
    }
  }

  @Test
  void shorterDeadlineIsKept() throws Exception {
    try (Harness h =
        Harness.inProcess(new ControlledService(), NO_LIMITS, defaultOf(Duration.ofHours(1)))) {
      String seen =
          h.blocking()
              .withDeadlineAfter(20, TimeUnit.SECONDS)
              .unaryRpc(request("deadline"))
              .getResponseMessage();
      assertThat(Long.parseLong(seen)).isPositive().isLessThanOrEqualTo(20_000);
    }
  }

  @Test
  void longerDeadlineIsKeptToo() throws Exception {
    try (Harness h =
        Harness.inProcess(new ControlledService(), NO_LIMITS, defaultOf(Duration.ofSeconds(1)))) {
      String seen =
          h.blocking()
              .withDeadlineAfter(1, TimeUnit.HOURS)
              .unaryRpc(request("deadline"))
              .getResponseMessage();
      assertThat(Long.parseLong(seen)).isGreaterThan(1_000);
    }
  }

  @Test
  void deadlineOfTheCurrentContextCountsAsTheCallsOwn() throws Exception {
    try (Harness h =
        Harness.inProcess(new ControlledService(), NO_LIMITS, defaultOf(Duration.ofSeconds(1)))) {
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      Context.CancellableContext context =
          Context.current().withDeadlineAfter(1, TimeUnit.HOURS, timer);
      try {
        long seen = context.call(() -> seen(h));
        assertThat(seen).isGreaterThan(1_000);
      } finally {
        context.cancel(null);
        timer.shutdownNow();
      }
    }
  }

  @Test
  void defaultAppliesOnlyToTheSelectedMethods() throws Exception {
    ClientInterceptor other =
        Limits.clientBuilder()
            .defaultDeadline(MethodSelector.of("other.Service/*"), Duration.ofSeconds(1))
            .build();
    try (Harness h = Harness.inProcess(new ControlledService(), NO_LIMITS, other)) {
      assertThat(h.blocking().unaryRpc(request("deadline")).getResponseMessage()).isEqualTo("none");
    }
  }

  @Test
  void inTheClientChainTheAccessLogShowsTheDefaultDeadline() throws Exception {
    ClientInterceptor chain =
        ClientChain.builder()
            .observability(AccessLog.clientBuilder().build())
            .limits(defaultOf(Duration.ofSeconds(3)))
            .build();
    try (Harness h = Harness.inProcess(new ControlledService(), NO_LIMITS, chain)) {
      assertThat(seen(h)).isPositive().isLessThanOrEqualTo(3_000);
      h.blocking().withDeadlineAfter(20, TimeUnit.SECONDS).unaryRpc(request("ok"));

      java.util.List<LoggedEvent> lines = log.awaitEvents(2, LOG_TIMEOUT);
      Matcher first = DEADLINE.matcher(lines.get(0).message());
      assertThat(first.find()).as(lines.get(0).message()).isTrue();
      assertThat(Long.parseLong(first.group(1))).isPositive().isLessThanOrEqualTo(3_000);
      Matcher second = DEADLINE.matcher(lines.get(1).message());
      assertThat(second.find()).isTrue();
      assertThat(Long.parseLong(second.group(1))).isGreaterThan(3_000).isLessThanOrEqualTo(20_000);
      assertThat(lines.get(0).keyValues()).containsKey("deadline");
    }
  }

  @Test
  void withoutADeadlineTheAccessLogShowsADash() throws Exception {
    try (Harness h =
        Harness.inProcess(new ControlledService(), NO_LIMITS, AccessLog.clientBuilder().build())) {
      h.blocking().unaryRpc(request("ok"));
      assertThat(log.awaitEvents(1, LOG_TIMEOUT).get(0).message()).endsWith(" deadline=-");
    }
  }
}

package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProductionSettingsTest {
  @Test
  void defaultsAreTheChecklistValues() {
    ProductionSettings settings = ProductionSettings.defaults();
    assertThat(settings.maxConcurrentCallsPerConnection()).isEqualTo(100);
    assertThat(settings.maxConnectionIdle()).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.executorThreads()).isGreaterThanOrEqualTo(4);
    assertThat(settings.flowControlWindow()).isEqualTo(64 * 1024);
    assertThat(settings.maxInboundMessageSize()).isEqualTo(64 * 1024);
    MemoryBudget jvm = MemoryBudget.ofThisJvm();
    assertThat(settings.maxCallsInFlight()).isEqualTo(jvm.maxCallsInFlight(64 * 1024, 64 * 1024));
    assertThat(settings.maxConnections()).isEqualTo(jvm.maxConnections());
    assertThat(settings.describeBudget())
        .startsWith("at most " + jvm.maxConnections() + " connections, ")
        .contains("160 KiB held per call");
  }

  @Test
  void theCallBudgetFollowsTheWindowAndMessageSizeUnlessSet() {
    ProductionSettings bigger = ProductionSettings.builder().flowControlWindow(1024 * 1024).build();
    assertThat(bigger.maxCallsInFlight())
        .isEqualTo(MemoryBudget.ofThisJvm().maxCallsInFlight(1024 * 1024, 64 * 1024));
    assertThat(
            ProductionSettings.builder()
                .maxCallsInFlight(7)
                .maxConnections(9)
                .build()
                .maxCallsInFlight())
        .isEqualTo(7);
    assertThat(ProductionSettings.builder().maxConnections(9).build().maxConnections())
        .isEqualTo(9);
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void outOfRangeValuesAreRejectedAtBuildWithTheirName() {
    assertThatThrownBy(
            () -> ProductionSettings.builder().maxConcurrentCallsPerConnection(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrentCallsPerConnection: 0 (expected: > 0)");
    assertThatThrownBy(() -> ProductionSettings.builder().maxConnectionIdle(Duration.ZERO).build())
        .hasMessage("maxConnectionIdle: PT0S (expected: > 0)");
    assertThatThrownBy(
            () ->
                ProductionSettings.builder()
                    .maxRstFramesPerWindow(10, Duration.ofMillis(500))
                    .build())
        .hasMessage("rstFramesWindow: PT0.5S (expected: >= 1 s)");
    assertThatThrownBy(
            () ->
                ProductionSettings.builder()
                    .maxConnectionAge(Duration.ofMinutes(1), Duration.ofSeconds(-1))
                    .build())
        .hasMessage("maxConnectionAgeGrace: PT-1S (expected: >= 0)");
    assertThatThrownBy(() -> ProductionSettings.builder().maxCallsInFlight(0).build())
        .hasMessage("maxCallsInFlight: 0 (expected: > 0)");
    assertThatThrownBy(() -> ProductionSettings.builder().maxConnections(-1).build())
        .hasMessage("maxConnections: -1 (expected: > 0)");
    assertThatThrownBy(() -> ProductionSettings.builder().flowControlWindow(0).build())
        .hasMessage("flowControlWindow: 0 (expected: > 0)");
    assertThatThrownBy(
            () -> ProductionSettings.builder().logSummaryInterval(Duration.ofSeconds(-1)).build())
        .hasMessage("logSummaryInterval: PT-1S (expected: > 0)");
    assertThatThrownBy(() -> ProductionSettings.builder().logSummaryInterval(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("interval");
    assertThatThrownBy(() -> ProductionSettings.builder().handshakeTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> ProductionSettings.defaults().applyTo(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("builder");
  }

  @Test
  void applyToReturnsTheBuilderAndTheExecutorHasFixedNamedDaemonThreads() throws Exception {
    ProductionSettings settings = ProductionSettings.builder().executorThreads(3).build();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    assertThat(settings.applyTo(builder)).isSameAs(builder);
    // Started and stopped, so that the event loops applyTo created are released.
    builder.build().start().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ExecutorService executor = settings.newExecutor();
    try {
      assertThat(executor).isInstanceOf(ThreadPoolExecutor.class);
      ThreadPoolExecutor pool = (ThreadPoolExecutor) executor;
      assertThat(pool.getCorePoolSize()).isEqualTo(3);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
      Thread thread = pool.getThreadFactory().newThread(() -> {});
      assertThat(thread.getName()).startsWith("grpc-call-");
      assertThat(thread.isDaemon()).isTrue();
    } finally {
      executor.shutdownNow();
    }
  }
}

package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;

class ProductionSettingsTest {
  @Test
  void defaultsAreTheChecklistValues() {
    ProductionSettings settings = ProductionSettings.defaults();
    assertThat(settings.maxConcurrentCallsPerConnection()).isEqualTo(100);
    assertThat(settings.maxConnectionIdle()).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.executorThreads()).isGreaterThanOrEqualTo(4);
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
    assertThatThrownBy(() -> ProductionSettings.builder().handshakeTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> ProductionSettings.defaults().applyTo(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("builder");
  }

  @Test
  void applyToReturnsTheBuilderAndTheExecutorHasFixedNamedDaemonThreads() {
    ProductionSettings settings = ProductionSettings.builder().executorThreads(3).build();
    NettyServerBuilder builder = NettyServerBuilder.forPort(0);
    assertThat(settings.applyTo(builder)).isSameAs(builder);
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

package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void callsInFlightAreHalfTheDirectMemoryDividedByWhatOneCallMayHold() {
    MemoryBudget budget = new MemoryBudget(256 * MIB, 256 * MIB, 20_000, 30);
    // 64 KiB window + 64 KiB message + 32 KiB outbound = 160 KiB; 128 MiB / 160 KiB = 819.
    assertThat(MemoryBudget.perCallBytes(64 * 1024, 64 * 1024)).isEqualTo(160 * 1024);
    assertThat(budget.maxCallsInFlight(64 * 1024, 64 * 1024)).isEqualTo(819);
    // grpc-java's defaults (1 MiB window, 4 MiB messages): 5 MiB + 32 KiB a call, 25 calls.
    assertThat(budget.maxCallsInFlight(1024 * 1024, 4 * 1024 * 1024)).isEqualTo(25);
    assertThat(new MemoryBudget(1, 1, 1, 0).maxCallsInFlight(64 * 1024, 64 * 1024)).isEqualTo(1);
  }

  @Test
  void connectionsFitAQuarterOfTheHeapAndThreeQuartersOfTheFreeDescriptors() {
    // A quarter of 256 MiB at 8 KiB each: 8,192; three quarters of 19,970 free: 14,977.
    assertThat(new MemoryBudget(256 * MIB, 256 * MIB, 20_000, 30).maxConnections()).isEqualTo(8192);
    // ulimit -n 1024 with 30 open: 745.
    assertThat(new MemoryBudget(256 * MIB, 256 * MIB, 1024, 30).maxConnections()).isEqualTo(745);
    assertThat(new MemoryBudget(256 * MIB, 256 * MIB, 10, 30).maxConnections()).isEqualTo(1);
  }

  @Test
  void theRunningJvmsLimitsAreRead() {
    MemoryBudget jvm = MemoryBudget.ofThisJvm();
    assertThat(jvm.maxHeap()).isEqualTo(Runtime.getRuntime().maxMemory());
    assertThat(jvm.maxDirectMemory()).isPositive();
    assertThat(jvm.maxFileDescriptors()).isPositive();
  }
}

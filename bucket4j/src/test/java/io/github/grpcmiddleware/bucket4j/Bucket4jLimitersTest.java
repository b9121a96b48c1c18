package io.github.grpcmiddleware.bucket4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.grpcmiddleware.limits.AsyncLimiter;
import io.github.grpcmiddleware.limits.AsyncLimiterFactory;
import io.github.grpcmiddleware.limits.Permit;
import io.github.grpcmiddleware.redistest.Redis;
import io.github.grpcmiddleware.redistest.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Bucket4j limiters against a real Redis, through Bucket4j's Lettuce proxy manager. */
class Bucket4jLimitersTest {
  @RegisterExtension static final RedisServer redis = new RedisServer();

  private final List<RedisClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    for (RedisClient client : clients) {
      client.shutdown();
    }
  }

  /** One replica: its own Lettuce client and proxy manager on the shared Redis. */
  private ProxyManager<byte[]> replica() {
    RedisClient client = Redis.client(redis, true);
    clients.add(client);
    return Redis.buckets(client);
  }

  private static BucketConfiguration perHour(int tokens) {
    // Refilled all at once after an hour: nothing comes back while the test runs.
    return BucketConfiguration.builder()
        .addLimit(limit -> limit.capacity(tokens).refillIntervally(tokens, Duration.ofHours(1)))
        .build();
  }

  private static Permit acquire(AsyncLimiter limiter) throws Exception {
    return limiter.acquire().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void twoReplicasSharingOneRedisAdmitTheConfiguredCountTogether() throws Exception {
    AsyncLimiterFactory first =
        Bucket4jLimiters.builder(replica(), Bucket4jLimiters.utf8Keys("shared-20:"))
            .configuration(perHour(20))
            .build();
    AsyncLimiterFactory second =
        Bucket4jLimiters.builder(replica(), Bucket4jLimiters.utf8Keys("shared-20:"))
            .configuration(perHour(20))
            .build();
    AsyncLimiter onFirst = first.create("principal:alice");
    AsyncLimiter onSecond = second.create("principal:alice");
    List<CompletableFuture<Permit>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      // All in flight at once, half through each replica: the store arbitrates (compare-and-swap).
      calls.add((i % 2 == 0 ? onFirst : onSecond).acquire().toCompletableFuture());
    }
    int granted = 0;
    for (CompletableFuture<Permit> call : calls) {
      Permit permit = call.get(10, TimeUnit.SECONDS);
      if (permit.isGranted()) {
        granted++;
      } else {
        assertThat(permit.retryAfterNanos())
            .isPositive()
            .isLessThanOrEqualTo(TimeUnit.HOURS.toNanos(1));
      }
    }
    assertThat(granted).isEqualTo(20);
    // Another principal has a bucket of its own.
    assertThat(acquire(second.create("principal:bob")).isGranted()).isTrue();
  }

  @Test
  void aRejectionWaitsBucket4jsNanosToTheNextTokenAndAGrantHasNothingToRelease() throws Exception {
    AsyncLimiter limiter =
        Bucket4jLimiters.builder(replica(), Bucket4jLimiters.utf8Keys("one-per-10s:"))
            .configuration(
                BucketConfiguration.builder()
                    .addLimit(limit -> limit.capacity(1).refillGreedy(1, Duration.ofSeconds(10)))
                    .build())
            .build()
            .create("global");
    Permit granted = acquire(limiter);
    assertThat(granted.isGranted()).isTrue();
    assertThat(granted).isSameAs(Permit.granted());
    Permit rejected = acquire(limiter);
    assertThat(rejected.isGranted()).isFalse();
    assertThat(rejected.retryAfterNanos())
        .isGreaterThan(TimeUnit.SECONDS.toNanos(9))
        .isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(10));
  }

  @Test
  void eachKeyGetsTheBucketItsConfigurationFunctionChooses() throws Exception {
    AsyncLimiterFactory factory =
        Bucket4jLimiters.builder(replica(), Bucket4jLimiters.utf8Keys("plans:"))
            .configuration(key -> perHour(key.equals("principal:gold") ? 3 : 1))
            .build();
    AsyncLimiter gold = factory.create("principal:gold");
    AsyncLimiter basic = factory.create("principal:basic");
    assertThat(acquire(gold).isGranted()).isTrue();
    assertThat(acquire(gold).isGranted()).isTrue();
    assertThat(acquire(gold).isGranted()).isTrue();
    assertThat(acquire(gold).isGranted()).isFalse();
    assertThat(acquire(basic).isGranted()).isTrue();
    assertThat(acquire(basic).isGranted()).isFalse();
  }

  @Test
  void theBuilderSaysWhatIsMissing() {
    assertThatThrownBy(() -> Bucket4jLimiters.builder(replica(), key -> key.getBytes()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "configuration: not set (expected: configuration(BucketConfiguration) or"
                + " configuration(Function))");
    assertThatThrownBy(() -> Bucket4jLimiters.utf8Keys(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefix: \"\" (expected: not empty, one per limit)");
    AsyncLimiterFactory nulls =
        Bucket4jLimiters.builder(replica(), Bucket4jLimiters.utf8Keys("n:"))
            .configuration(key -> null)
            .build();
    assertThatThrownBy(() -> nulls.create("k"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("configuration returned null for a key");
  }
}

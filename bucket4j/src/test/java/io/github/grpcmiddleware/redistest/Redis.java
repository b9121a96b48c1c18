package io.github.grpcmiddleware.redistest;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import java.time.Duration;

/**
 * Lettuce clients and Bucket4j proxy managers on a {@link RedisServer}, as a replica makes them.
 */
public final class Redis {
  private Redis() {}

  /**
   * A new client (its own connection, as another replica has), failing commands at once while
   * disconnected ({@code REJECT_COMMANDS}) or queueing them until it reconnects (Lettuce's
   * default).
   */
  public static RedisClient client(RedisServer server, boolean rejectWhileDisconnected) {
    RedisClient client = RedisClient.create(server.uri());
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(
                rejectWhileDisconnected
                    ? ClientOptions.DisconnectedBehavior.REJECT_COMMANDS
                    : ClientOptions.DisconnectedBehavior.DEFAULT)
            .build());
    return client;
  }

  /** Bucket4j's Lettuce proxy manager on a client, with buckets that expire once full again. */
  public static ProxyManager<byte[]> buckets(RedisClient client) {
    return Bucket4jLettuce.casBasedBuilder(client)
        .expirationAfterWrite(
            ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                Duration.ofSeconds(10)))
        .build();
  }
}

package io.github.grpcmiddleware.bucket4j;

import io.github.bucket4j.BucketConfiguration;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.limits.AsyncLimitOptions;
import io.github.grpcmiddleware.limits.LimitKey;
import io.github.grpcmiddleware.limits.LimitType;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.limits.LimitsServerBuilder;
import io.github.grpcmiddleware.limits.RejectionListener;
import io.github.grpcmiddleware.redistest.Redis;
import io.github.grpcmiddleware.redistest.RedisServer;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testsupport.NettyChainServer;
import io.github.grpcmiddleware.testsupport.RecordingService;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One replica of a service as a team runs it: a Netty server on 127.0.0.1 with the chain (error
 * mapping, auth by bearer token, a rate limit per caller kept in a shared Redis through this
 * module) installed with its stream tracer, the server's executor also the limits' call executor,
 * and a Lettuce client of its own.
 */
final class Replica implements AutoCloseable {
  static final String LIMIT = "per-caller";

  final RedisClient redis;
  final AtomicInteger handled;
  private final NettyChainServer netty;
  private final ExecutorService executor;

  private Replica(
      RedisClient redis, NettyChainServer netty, ExecutorService executor, AtomicInteger handled) {
    this.redis = redis;
    this.netty = netty;
    this.executor = executor;
    this.handled = handled;
  }

  /** The server's port. */
  int port() {
    return netty.server.getPort();
  }

  /**
   * Starts a replica whose limit {@value #LIMIT} keeps its buckets under {@code prefix} in {@code
   * store}.
   *
   * @param rejectWhileDisconnected Lettuce's {@code REJECT_COMMANDS} (as docs/limits.md advises)
   *     rather than its default (queue until reconnected)
   * @param outermost an interceptor outside the chain (sees every attempt and its trailers), or
   *     null
   */
  static Replica start(
      RedisServer store,
      boolean rejectWhileDisconnected,
      String prefix,
      BucketConfiguration bucket,
      AsyncLimitOptions options,
      @Nullable RejectionListener rejections,
      @Nullable ServerInterceptor outermost)
      throws IOException {
    RedisClient client = Redis.client(store, rejectWhileDisconnected);
    ExecutorService executor = Executors.newFixedThreadPool(4);
    LimitsServerBuilder limits =
        Limits.serverBuilder()
            .asyncLimit(
                LIMIT,
                LimitType.RATE,
                MethodSelector.of("*"),
                LimitKey.principal(),
                Bucket4jLimiters.builder(Redis.buckets(client), Bucket4jLimiters.utf8Keys(prefix))
                    .configuration(bucket)
                    .build(),
                options)
            .callExecutor(executor);
    if (rejections != null) {
      limits.rejectionListener(rejections);
    }
    ServerInterceptor chain =
        ServerChain.builder()
            .errorMapping(ErrorMapping.serverBuilder().build())
            .auth(
                Auth.newServerInterceptor(
                    Authenticators.bearerTokens(
                        Map.of("alice-token", "alice", "bob-token", "bob"))))
            .limits(limits.build())
            .build();
    RecordingService echo = new RecordingService();
    NettyChainServer netty =
        outermost == null
            ? NettyChainServer.start(chain, echo, executor)
            : NettyChainServer.start(chain, echo, executor, outermost);
    return new Replica(client, netty, executor, echo.started);
  }

  /** An async stub calling as {@code token}'s principal, with a 10 s deadline. */
  SimpleServiceGrpc.SimpleServiceStub stub(String token) {
    return SimpleServiceGrpc.newStub(netty.channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** A blocking stub calling as {@code token}'s principal, with a 10 s deadline. */
  SimpleServiceGrpc.SimpleServiceBlockingStub blocking(String token) {
    return SimpleServiceGrpc.newBlockingStub(netty.channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Request headers with {@code authorization: Bearer <token>}. */
  static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return headers;
  }

  @Override
  public void close() throws InterruptedException {
    netty.close();
    executor.shutdownNow();
    redis.shutdown();
  }
}

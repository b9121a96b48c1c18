package io.github.grpcmiddleware.bucket4j;

import io.github.bucket4j.BucketConfiguration;
import io.github.grpcmiddleware.auth.Authenticators;
import io.github.grpcmiddleware.auth.ServerAuth;
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
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
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
  final Server server;
  final ManagedChannel channel;
  final AtomicInteger handled = new AtomicInteger();
  private final ExecutorService executor;

  private Replica(RedisClient redis, Server server, ExecutorService executor) {
    this.redis = redis;
    this.server = server;
    this.executor = executor;
    this.channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .build();
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
                ServerAuth.newServerInterceptor(
                    Authenticators.bearerTokens(
                        Map.of("alice-token", "alice", "bob-token", "bob"))))
            .limits(limits.build())
            .build();
    ServerBuilder<?> builder =
        ServerChain.install(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).executor(executor),
            chain);
    if (outermost != null) {
      builder.intercept(outermost); // registered last: runs first
    }
    Replica[] self = new Replica[1];
    Server server =
        builder
            .addService(
                new SimpleServiceGrpc.SimpleServiceImplBase() {
                  @Override
                  public void unaryRpc(
                      SimpleRequest request, StreamObserver<SimpleResponse> responses) {
                    self[0].handled.incrementAndGet();
                    responses.onNext(
                        SimpleResponse.newBuilder()
                            .setResponseMessage(request.getRequestMessage())
                            .build());
                    responses.onCompleted();
                  }
                })
            .build()
            .start();
    self[0] = new Replica(client, server, executor);
    return self[0];
  }

  /** An async stub calling as {@code token}'s principal, with a 10 s deadline. */
  SimpleServiceGrpc.SimpleServiceStub stub(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return SimpleServiceGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** A blocking stub calling as {@code token}'s principal, with a 10 s deadline. */
  SimpleServiceGrpc.SimpleServiceBlockingStub blocking(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
    executor.shutdownNow();
    redis.shutdown();
  }
}

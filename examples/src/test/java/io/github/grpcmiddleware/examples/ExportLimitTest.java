package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.rpc.QuotaFailure;
import io.github.grpcmiddleware.examples.proto.ExportUsersRequest;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.github.grpcmiddleware.redistest.RedisServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The example server's {@code --redis}: two example servers started with the same Redis (a real
 * redis-server on 127.0.0.1) share ExportUsers' limit of 2 calls a minute per caller, where two
 * servers without it would allow 2 each.
 */
class ExportLimitTest {
  private static final String TOKEN = "redis-example-token";

  @RegisterExtension static final RedisServer redis = new RedisServer();

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server server : servers) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private UserServiceGrpc.UserServiceBlockingStub replica(@Nullable String redisUri)
      throws Exception {
    Server server =
        ExampleServer.start(
            "127.0.0.1",
            0,
            TOKEN,
            new SimpleMeterRegistry(),
            null,
            ProductionSettings.defaults(),
            null,
            redisUri);
    servers.add(server);
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .build();
    channels.add(channel);
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + TOKEN);
    return UserServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void twoExampleServersWithOneRedisAllowTwoExportsAMinuteBetweenThem() throws Exception {
    UserServiceGrpc.UserServiceBlockingStub first = replica(redis.uri());
    UserServiceGrpc.UserServiceBlockingStub second = replica(redis.uri());

    assertThat(first.exportUsers(ExportUsersRequest.getDefaultInstance()).getCsv()).isNotEmpty();
    assertThat(second.exportUsers(ExportUsersRequest.getDefaultInstance()).getCsv()).isNotEmpty();
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> first.exportUsers(ExportUsersRequest.getDefaultInstance()));

    assertThat(e).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    List<QuotaFailure> quotas = new ArrayList<>();
    for (Any detail : Objects.requireNonNull(StatusProto.fromThrowable(e)).getDetailsList()) {
      if (detail.is(QuotaFailure.class)) {
        quotas.add(detail.unpack(QuotaFailure.class));
      }
    }
    assertThat(quotas).hasSize(1);
    QuotaFailure quota = quotas.get(0);
    assertThat(quota.getViolations(0).getSubject()).isEqualTo("principal:demo-user");
    assertThat(quota.getViolations(0).getDescription())
        .isEqualTo("export-per-caller: 2 calls per minute per caller, shared by every replica");
    assertThat(
            Objects.requireNonNull(e.getTrailers())
                .get(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER)))
        .matches("[0-9]+");
  }

  @Test
  void withoutRedisEachServerCountsOnItsOwn() throws Exception {
    UserServiceGrpc.UserServiceBlockingStub first = replica(null);
    UserServiceGrpc.UserServiceBlockingStub second = replica(null);
    for (int i = 0; i < 2; i++) {
      assertThat(first.exportUsers(ExportUsersRequest.getDefaultInstance()).getCsv()).isNotEmpty();
      assertThat(second.exportUsers(ExportUsersRequest.getDefaultInstance()).getCsv()).isNotEmpty();
    }
  }
}

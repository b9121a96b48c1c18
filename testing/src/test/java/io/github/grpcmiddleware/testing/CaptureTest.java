package io.github.grpcmiddleware.testing;

import static io.github.grpcmiddleware.testing.EchoService.request;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Server, client and MDC captures through a real in-process server, all four RPC kinds. */
class CaptureTest {
  final ServerCallCapture server = ServerCallCapture.create();
  final ClientCallCapture client = ClientCallCapture.create();
  final MdcCapture handlerMdc = MdcCapture.create();

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new EchoService(handlerMdc::capture))
          .interceptor(new MdcTagInterceptor(), server.interceptor())
          .build();

  SimpleServiceGrpc.SimpleServiceBlockingStub blockingStub(String tag) {
    Metadata headers = new Metadata();
    headers.put(MdcTagInterceptor.TAG, tag);
    return grpc.stub(
        SimpleServiceGrpc::newBlockingStub,
        MetadataUtils.newAttachHeadersInterceptor(headers),
        client.interceptor());
  }

  SimpleServiceGrpc.SimpleServiceStub asyncStub(String tag) {
    Metadata headers = new Metadata();
    headers.put(MdcTagInterceptor.TAG, tag);
    return grpc.stub(
        SimpleServiceGrpc::newStub,
        MetadataUtils.newAttachHeadersInterceptor(headers),
        client.interceptor());
  }

  @Test
  void unaryCallIsSeenOnBothSides() {
    blockingStub("u-1").unaryRpc(request("hi"));

    CapturedServerCall seen = server.lastCall();
    assertThat(seen.methodName()).isEqualTo("grpc.testing.SimpleService/UnaryRpc");
    assertThat(seen.header("x-tag")).isEqualTo("u-1");
    assertThat(seen.mdc()).containsEntry("tag", "u-1");
    assertThat(seen.handlerThread()).startsWith("grpc-test-server-");
    assertThat(handlerMdc.last()).containsEntry("tag", "u-1");

    CapturedClientCall sent = client.lastCall();
    assertThat(requireNonNull(sent.requestHeaders()).get(MdcTagInterceptor.TAG)).isEqualTo("u-1");
    assertThat(sent.responseHeader("x-tag-header")).isEqualTo("u-1");
    assertThat(sent.trailer("x-tag-trailer")).isEqualTo("u-1");
    assertThat(requireNonNull(sent.status()).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void serverStreamingCallIsSeenOnBothSides() {
    blockingStub("s-1").serverStreamingRpc(request("hi")).forEachRemaining(r -> {});

    assertThat(server.lastCall().mdc()).containsEntry("tag", "s-1");
    assertThat(handlerMdc.last()).containsEntry("tag", "s-1");
    assertThat(client.lastCall().trailer("x-tag-trailer")).isEqualTo("s-1");
    assertThat(requireNonNull(client.lastCall().status()).isOk()).isTrue();
  }

  @Test
  void clientStreamingCallIsSeenOnBothSides() throws Exception {
    Recorder responses = new Recorder();
    StreamObserver<SimpleRequest> requests = asyncStub("c-1").clientStreamingRpc(responses);
    requests.onNext(request("a"));
    requests.onNext(request("b"));
    requests.onCompleted();
    responses.await();

    assertThat(responses.messages).containsExactly("a,b");
    assertThat(server.lastCall().mdc()).containsEntry("tag", "c-1");
    assertThat(handlerMdc.last()).containsEntry("tag", "c-1");
    CapturedClientCall sent = client.lastCall().awaitClose(Duration.ofSeconds(5));
    assertThat(sent.trailer("x-tag-trailer")).isEqualTo("c-1");
    assertThat(GrpcAssertions.assertThat(sent).status().isOk()).isTrue();
  }

  @Test
  void bidiCallIsSeenOnBothSidesForEveryMessage() throws Exception {
    Recorder responses = new Recorder();
    StreamObserver<SimpleRequest> requests = asyncStub("b-1").bidiStreamingRpc(responses);
    requests.onNext(request("x"));
    requests.onNext(request("y"));
    requests.onCompleted();
    responses.await();

    assertThat(responses.messages).containsExactly("x", "y");
    assertThat(handlerMdc.all())
        .hasSize(3)
        .allSatisfy(m -> assertThat(m).containsEntry("tag", "b-1"));
    assertThat(client.lastCall().awaitClose(Duration.ofSeconds(5)).responseHeader("x-tag-header"))
        .isEqualTo("b-1");
  }

  @Test
  void theServerSideCloseStatusAndTrailersAreRecorded() throws Exception {
    blockingStub("t-1").unaryRpc(request("hi"));

    CapturedServerCall seen = server.lastCall();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (seen.closeStatus() == null && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(seen.closeStatus()).isEqualTo(Status.OK);
    // The capture sits inside the tag interceptor: it sees trailers before the tag is added.
    assertThat(requireNonNull(seen.closeTrailers()).get(MdcTagInterceptor.TRAILER_ECHO)).isNull();
  }

  @Test
  void callsAreKeptInOrderAndCanBeCleared() {
    blockingStub("one").unaryRpc(request("1"));
    blockingStub("two").unaryRpc(request("2"));

    assertThat(server.calls()).extracting(c -> c.header("x-tag")).containsExactly("one", "two");
    assertThat(client.calls()).hasSize(2);
    assertThat(server.lastHeaders().get(MdcTagInterceptor.TAG)).isEqualTo("two");

    server.clear();
    client.clear();
    handlerMdc.clear();
    assertThat(server.calls()).isEmpty();
    assertThatThrownBy(server::lastCall)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no call reached its interceptor");
    assertThatThrownBy(client::lastCall)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no call went through its interceptor");
    assertThatThrownBy(handlerMdc::last)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("capture() was never called");
  }

  @Test
  void aClientCallThatDoesNotCloseTimesOutWithAClearMessage() {
    StreamObserver<SimpleRequest> requests = asyncStub("open").bidiStreamingRpc(new Recorder());
    try {
      assertThatThrownBy(() -> client.lastCall().awaitClose(Duration.ofMillis(50)))
          .isInstanceOf(AssertionError.class)
          .hasMessage(
              "call grpc.testing.SimpleService/BidiStreamingRpc did not close within 50 ms");
      assertThatThrownBy(() -> GrpcAssertions.assertThat(client.lastCall()))
          .hasMessageContaining("has not closed yet");
    } finally {
      requests.onCompleted();
    }
  }

  static final class Recorder implements StreamObserver<SimpleResponse> {
    final List<String> messages = new CopyOnWriteArrayList<>();
    final CountDownLatch done = new CountDownLatch(1);

    @Override
    public void onNext(SimpleResponse value) {
      messages.add(value.getResponseMessage());
    }

    @Override
    public void onError(Throwable t) {
      done.countDown();
    }

    @Override
    public void onCompleted() {
      done.countDown();
    }

    void await() throws InterruptedException {
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }
}

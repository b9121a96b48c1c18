package io.github.grpcmiddleware.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The four RPC kinds of grpc-java's {@code SimpleService}, each run with the real generated async
 * stub, for the tests of core's packages and of otel ({@code @EnumSource(Rpcs.class)}). A call
 * sends {@link #REQUEST} once (unary, server streaming) or twice then half-closes (client, bidi
 * streaming), waits up to 10 seconds and reports how it ended.
 */
public enum Rpcs {
  UNARY,
  SERVER_STREAMING,
  CLIENT_STREAMING,
  BIDI_STREAMING;

  public static final SimpleRequest REQUEST = request("hello");

  /**
   * How a call ended: OK with the responses' texts, or the failure status, the exception the stub
   * gave (with the trailers) and the responses received before it.
   */
  public record Outcome(Status status, List<String> responses, @Nullable Throwable failure) {
    public Status.Code code() {
      return status.getCode();
    }
  }

  /** Runs a call of this kind that must fail and returns the exception it ended with. */
  public StatusRuntimeException fail(Channel channel) {
    Outcome outcome;
    try {
      outcome = call(stub(channel, new Metadata()), this);
    } catch (Exception e) {
      throw new AssertionError(this + " call did not end", e);
    }
    assertThat(outcome.failure())
        .as("%s call failed", this)
        .isInstanceOf(StatusRuntimeException.class);
    return (StatusRuntimeException) Objects.requireNonNull(outcome.failure());
  }

  /** Runs a call of this kind without extra headers and returns the status it ended with. */
  public Status status(Channel channel) throws Exception {
    return call(channel, new Metadata(), this).status();
  }

  /** A request with {@code text} as its message. */
  public static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  /** Request headers with one ASCII entry. */
  public static Metadata header(String name, String value) {
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
    return metadata;
  }

  /** Request headers with {@code authorization: value}. */
  public static Metadata bearer(String value) {
    return header("authorization", value);
  }

  /** A blocking stub that sends {@code headers}, with a 10-second deadline. */
  public static SimpleServiceGrpc.SimpleServiceBlockingStub blocking(
      Channel channel, Metadata headers) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** One unary call on a blocking stub, configured by the caller. */
  public static Outcome unary(SimpleServiceGrpc.SimpleServiceBlockingStub stub) {
    try {
      SimpleResponse response = stub.unaryRpc(SimpleRequest.getDefaultInstance());
      return new Outcome(Status.OK, List.of(response.getResponseMessage()), null);
    } catch (StatusRuntimeException e) {
      return new Outcome(e.getStatus(), List.of(), e);
    }
  }

  /** One call of {@code kind} that sends {@code headers}. */
  public static Outcome call(Channel channel, Metadata headers, Rpcs kind) throws Exception {
    return call(channel, headers, kind, null);
  }

  /** One call of {@code kind} that sends {@code headers}, with call credentials when not null. */
  public static Outcome call(
      Channel channel, Metadata headers, Rpcs kind, @Nullable CallCredentials credentials)
      throws Exception {
    SimpleServiceGrpc.SimpleServiceStub stub = stub(channel, headers);
    if (credentials != null) {
      stub = stub.withCallCredentials(credentials);
    }
    return call(stub, kind);
  }

  /** Runs one call of {@code kind} on {@code stub}, as configured by the caller. */
  public static Outcome call(SimpleServiceGrpc.SimpleServiceStub stub, Rpcs kind) throws Exception {
    Recorder recorder = new Recorder();
    switch (kind) {
      case UNARY -> stub.unaryRpc(REQUEST, recorder);
      case SERVER_STREAMING -> stub.serverStreamingRpc(REQUEST, recorder);
      case CLIENT_STREAMING -> sendTwice(stub.clientStreamingRpc(recorder));
      case BIDI_STREAMING -> sendTwice(stub.bidiStreamingRpc(recorder));
    }
    return recorder.done.get(10, TimeUnit.SECONDS);
  }

  private static SimpleServiceGrpc.SimpleServiceStub stub(Channel channel, Metadata headers) {
    return SimpleServiceGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static void sendTwice(StreamObserver<SimpleRequest> requests) {
    requests.onNext(REQUEST);
    requests.onNext(REQUEST);
    requests.onCompleted();
  }

  private static final class Recorder implements StreamObserver<SimpleResponse> {
    final List<String> responses = new ArrayList<>();
    final CompletableFuture<Outcome> done = new CompletableFuture<>();

    @Override
    public synchronized void onNext(SimpleResponse value) {
      responses.add(value.getResponseMessage());
    }

    @Override
    public synchronized void onError(Throwable t) {
      done.complete(new Outcome(Status.fromThrowable(t), List.copyOf(responses), t));
    }

    @Override
    public synchronized void onCompleted() {
      done.complete(new Outcome(Status.OK, List.copyOf(responses), null));
    }
  }
}

package io.github.grpcmiddleware.auth;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Runs each RPC kind of SimpleService and reports how it ended. */
final class Rpcs {
  enum Kind {
    UNARY,
    SERVER_STREAMING,
    CLIENT_STREAMING,
    BIDI_STREAMING
  }

  /** How a call ended: OK with the responses' texts, or the failure status. */
  record Outcome(Status status, List<String> responses) {
    Status.Code code() {
      return status.getCode();
    }
  }

  private Rpcs() {}

  static Metadata header(String name, String value) {
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
    return metadata;
  }

  static Metadata bearer(String value) {
    return header("authorization", value);
  }

  static SimpleServiceGrpc.SimpleServiceBlockingStub blocking(Channel channel, Metadata headers) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static Outcome unary(SimpleServiceGrpc.SimpleServiceBlockingStub stub) {
    try {
      SimpleResponse response = stub.unaryRpc(SimpleRequest.getDefaultInstance());
      return new Outcome(Status.OK, List.of(response.getResponseMessage()));
    } catch (StatusRuntimeException e) {
      return new Outcome(e.getStatus(), List.of());
    }
  }

  static Outcome call(Channel channel, Metadata headers, Kind kind) throws Exception {
    return call(channel, headers, kind, null);
  }

  static Outcome call(
      Channel channel, Metadata headers, Kind kind, @Nullable CallCredentials credentials)
      throws Exception {
    SimpleServiceGrpc.SimpleServiceStub stub =
        SimpleServiceGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    if (credentials != null) {
      stub = stub.withCallCredentials(credentials);
    }
    return call(stub, kind);
  }

  /** Runs one call of {@code kind} on {@code stub}, as configured by the caller. */
  static Outcome call(SimpleServiceGrpc.SimpleServiceStub stub, Kind kind) throws Exception {
    Recorder recorder = new Recorder();
    SimpleRequest request = SimpleRequest.newBuilder().setRequestMessage("hi").build();
    switch (kind) {
      case UNARY -> stub.unaryRpc(request, recorder);
      case SERVER_STREAMING -> stub.serverStreamingRpc(request, recorder);
      case CLIENT_STREAMING -> {
        StreamObserver<SimpleRequest> requests = stub.clientStreamingRpc(recorder);
        requests.onNext(request);
        requests.onNext(request);
        requests.onCompleted();
      }
      case BIDI_STREAMING -> {
        StreamObserver<SimpleRequest> requests = stub.bidiStreamingRpc(recorder);
        requests.onNext(request);
        requests.onNext(request);
        requests.onCompleted();
      }
    }
    return recorder.done.get(10, TimeUnit.SECONDS);
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
      done.complete(new Outcome(Status.fromThrowable(t), List.copyOf(responses)));
    }

    @Override
    public synchronized void onCompleted() {
      done.complete(new Outcome(Status.OK, List.copyOf(responses)));
    }
  }
}

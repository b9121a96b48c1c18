package io.github.grpcmiddleware.metrics;

import org.jspecify.annotations.Nullable;

/** The meter names of one side (server or client) in one naming scheme. */
final class MeterNames {

  static final String METHOD_TAG = "grpc.method";
  static final String STATUS_TAG = "grpc.status";

  final String started;
  final String duration;
  final String sent;
  final String received;

  /** Set only for the A66 client, which counts and times attempts with a stream tracer. */
  final @Nullable String attemptDuration;

  private MeterNames(
      String started,
      String duration,
      String sent,
      String received,
      @Nullable String attemptDuration) {
    this.started = started;
    this.duration = duration;
    this.sent = sent;
    this.received = received;
    this.attemptDuration = attemptDuration;
  }

  static MeterNames server(GrpcMetrics.Naming naming) {
    if (naming == GrpcMetrics.Naming.A66) {
      return new MeterNames(
          "grpc.server.call.started",
          "grpc.server.call.duration",
          "grpc.server.call.messages.sent",
          "grpc.server.call.messages.received",
          null);
    }
    return new MeterNames(
        "grpc.server.calls.started",
        "grpc.server.calls",
        "grpc.server.messages.sent",
        "grpc.server.messages.received",
        null);
  }

  static MeterNames client(GrpcMetrics.Naming naming) {
    if (naming == GrpcMetrics.Naming.A66) {
      return new MeterNames(
          "grpc.client.attempt.started",
          "grpc.client.call.duration",
          "grpc.client.call.messages.sent",
          "grpc.client.call.messages.received",
          "grpc.client.attempt.duration");
    }
    return new MeterNames(
        "grpc.client.calls.started",
        "grpc.client.calls",
        "grpc.client.messages.sent",
        "grpc.client.messages.received",
        null);
  }
}

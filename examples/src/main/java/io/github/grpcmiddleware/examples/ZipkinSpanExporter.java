package io.github.grpcmiddleware.examples;

import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.codec.SpanBytesEncoder;

/**
 * Sends OpenTelemetry spans to a Zipkin server's {@code POST /api/v2/spans}, as Zipkin v2 JSON
 * written by Zipkin's own model ({@code io.zipkin.zipkin2:zipkin}).
 *
 * <p>Why the examples have one: OpenTelemetry Java's {@code opentelemetry-exporter-zipkin} was
 * discontinued at 1.56.0, and that version fails on the SDK 1.68.0 this project uses ({@code
 * NoClassDefFoundError: io/opentelemetry/sdk/internal/ThrottlingLogger} when it is built: it uses
 * SDK internals that have moved); Zipkin 3.5.1's server has no OTLP receiver. The mapping follows
 * the OpenTelemetry specification's Zipkin section: kind, {@code service.name} as the local
 * endpoint, attributes as tags, {@code otel.status_code} and {@code error} for an error status,
 * {@code otel.scope.name}, events as annotations. The {@code error} tag is the status description,
 * or the name of the span's {@code rpc.grpc.status_code} when it has none.
 */
final class ZipkinSpanExporter implements SpanExporter {
  private static final Logger logger = LoggerFactory.getLogger(ZipkinSpanExporter.class);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<Long> GRPC_STATUS_CODE =
      AttributeKey.longKey("rpc.grpc.status_code");

  private final URI endpoint;
  private final HttpClient http;

  ZipkinSpanExporter(URI endpoint) {
    this.endpoint = endpoint;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    List<Span> zipkinSpans = new ArrayList<>(spans.size());
    for (SpanData span : spans) {
      zipkinSpans.add(toZipkin(span));
    }
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    SpanBytesEncoder.JSON_V2.encodeList(zipkinSpans)))
            .build();
    CompletableResultCode result = new CompletableResultCode();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              if (failure == null && response.statusCode() / 100 == 2) {
                result.succeed();
              } else {
                logger.warn(
                    "could not send {} spans to {}: {}",
                    zipkinSpans.size(),
                    endpoint,
                    failure != null ? failure.toString() : "HTTP " + response.statusCode());
                result.fail();
              }
            });
    return result;
  }

  static Span toZipkin(SpanData span) {
    long start = TimeUnit.NANOSECONDS.toMicros(span.getStartEpochNanos());
    long end = TimeUnit.NANOSECONDS.toMicros(span.getEndEpochNanos());
    Span.Builder zipkin =
        Span.newBuilder()
            .traceId(span.getTraceId())
            .id(span.getSpanId())
            .name(span.getName())
            .timestamp(start)
            .duration(Math.max(1, end - start))
            .localEndpoint(Endpoint.newBuilder().serviceName(serviceName(span)).build());
    SpanContext parent = span.getParentSpanContext();
    if (parent.isValid()) {
      zipkin.parentId(parent.getSpanId());
    }
    switch (span.getKind()) {
      case SERVER:
        zipkin.kind(Span.Kind.SERVER);
        break;
      case CLIENT:
        zipkin.kind(Span.Kind.CLIENT);
        break;
      case PRODUCER:
        zipkin.kind(Span.Kind.PRODUCER);
        break;
      case CONSUMER:
        zipkin.kind(Span.Kind.CONSUMER);
        break;
      default:
        break;
    }
    span.getAttributes().forEach((key, value) -> zipkin.putTag(key.getKey(), tagValue(value)));
    StatusCode status = span.getStatus().getStatusCode();
    if (status != StatusCode.UNSET) {
      zipkin.putTag("otel.status_code", status.name());
    }
    if (status == StatusCode.ERROR) {
      zipkin.putTag("error", errorText(span));
    }
    InstrumentationScopeInfo scope = span.getInstrumentationScopeInfo();
    zipkin.putTag("otel.scope.name", scope.getName());
    if (scope.getVersion() != null) {
      zipkin.putTag("otel.scope.version", scope.getVersion());
    }
    for (EventData event : span.getEvents()) {
      zipkin.addAnnotation(TimeUnit.NANOSECONDS.toMicros(event.getEpochNanos()), event.getName());
    }
    return zipkin.build();
  }

  /** The status description, else the gRPC code's name (what Zipkin's UI shows as the error). */
  private static String errorText(SpanData span) {
    String description = span.getStatus().getDescription();
    if (!description.isEmpty()) {
      return description;
    }
    Long code = span.getAttributes().get(GRPC_STATUS_CODE);
    return code == null ? "ERROR" : Status.fromCodeValue(code.intValue()).getCode().name();
  }

  private static String serviceName(SpanData span) {
    String name = span.getResource().getAttribute(SERVICE_NAME);
    return name == null ? "unknown_service" : name;
  }

  /** A list attribute becomes its values joined with {@code ,}. */
  private static String tagValue(Object value) {
    if (value instanceof List) {
      List<String> parts = new ArrayList<>();
      for (Object part : (List<?>) value) {
        parts.add(String.valueOf(part));
      }
      return String.join(",", parts);
    }
    return String.valueOf(value);
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}

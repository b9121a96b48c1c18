package io.github.grpcmiddleware.examples;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes the examples' {@link ZipkinSpanExporter} the autoconfigured exporter named {@code zipkin}:
 * {@code OTEL_TRACES_EXPORTER=zipkin} with {@code OTEL_EXPORTER_ZIPKIN_ENDPOINT} (default {@code
 * http://localhost:9411/api/v2/spans}), the names OpenTelemetry's own Zipkin exporter used. The
 * example server's {@code --zipkin URL} sets both.
 */
public final class ZipkinSpanExporterProvider implements ConfigurableSpanExporterProvider {

  /** The exporter's name in {@code otel.traces.exporter}. */
  static final String NAME = "zipkin";

  /** The property naming the Zipkin server's span endpoint. */
  static final String ENDPOINT = "otel.exporter.zipkin.endpoint";

  /**
   * The autoconfigure properties that send spans to the Zipkin server at {@code zipkinUrl} ({@code
   * http://127.0.0.1:9411}, or its {@code /api/v2/spans} endpoint), in batches sent every 200 ms
   * (the SDK's default is 5 s; a demo should not wait).
   *
   * @param zipkinUrl the Zipkin server
   * @return the properties
   */
  static Map<String, String> properties(String zipkinUrl) {
    String base =
        zipkinUrl.endsWith("/") ? zipkinUrl.substring(0, zipkinUrl.length() - 1) : zipkinUrl;
    Map<String, String> properties = new HashMap<>();
    properties.put("otel.traces.exporter", NAME);
    properties.put(ENDPOINT, base.endsWith("/api/v2/spans") ? base : base + "/api/v2/spans");
    properties.put("otel.bsp.schedule.delay", "200");
    return properties;
  }

  /** Created by {@link java.util.ServiceLoader}. */
  public ZipkinSpanExporterProvider() {}

  /**
   * Returns the exporter for the configured endpoint.
   *
   * @param config the autoconfigure properties
   * @return the exporter
   */
  @Override
  public SpanExporter createExporter(ConfigProperties config) {
    return new ZipkinSpanExporter(
        URI.create(config.getString(ENDPOINT, "http://localhost:9411/api/v2/spans")));
  }

  /**
   * Returns {@code zipkin}.
   *
   * @return the exporter's name
   */
  @Override
  public String getName() {
    return NAME;
  }
}

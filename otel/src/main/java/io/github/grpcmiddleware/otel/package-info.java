/**
 * OpenTelemetry spans and W3C context propagation; when installed, the span owns the call's trace
 * id.
 */
@NullMarked
package io.github.grpcmiddleware.otel;

import org.jspecify.annotations.NullMarked;

/**
 * Trace ids for every call: read from W3C {@code traceparent} or generated, kept in {@link
 * io.grpc.Context} and mirrored into the SLF4J MDC around every callback, and sent on to the next
 * service.
 */
@NullMarked
package io.github.grpcmiddleware.trace;

import org.jspecify.annotations.NullMarked;

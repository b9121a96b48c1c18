/**
 * Access log ({@link io.github.grpcmiddleware.logging.AccessLog}) and Micrometer metrics ({@link
 * io.github.grpcmiddleware.logging.GrpcMetrics}): one line and one set of measurements per call,
 * recording the status the caller actually received. Only {@code GrpcMetrics} and the classes it
 * builds touch Micrometer, an optional dependency.
 */
@NullMarked
package io.github.grpcmiddleware.logging;

import org.jspecify.annotations.NullMarked;

/**
 * Micrometer metrics ({@link io.github.grpcmiddleware.metrics.GrpcMetrics}): per method and status
 * code, on the server and the client, recording the status the caller actually received; and the
 * limits part's rejection counter ({@link io.github.grpcmiddleware.metrics.LimitMetrics}).
 * micrometer-core is an optional dependency of the core artifact: only this package touches it.
 */
@NullMarked
package io.github.grpcmiddleware.metrics;

import org.jspecify.annotations.NullMarked;

/**
 * Access log ({@link io.github.grpcmiddleware.logging.AccessLog}): one line per call when it
 * closes, with the status the caller actually received, through SLF4J. Micrometer metrics are in
 * {@link io.github.grpcmiddleware.metrics}.
 */
@NullMarked
package io.github.grpcmiddleware.logging;

import org.jspecify.annotations.NullMarked;

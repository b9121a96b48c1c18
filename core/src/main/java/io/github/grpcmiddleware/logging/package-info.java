/**
 * Access log and metrics: one line and one set of measurements per call, recording the status the
 * caller actually received.
 */
@NullMarked
package io.github.grpcmiddleware.logging;

import org.jspecify.annotations.NullMarked;

/**
 * Error mapping: exceptions thrown or passed to {@code onError} become the right gRPC status, with
 * rich {@code google.rpc} details and a safe catch-all that never leaks internals.
 */
@NullMarked
package io.github.grpcmiddleware.errors;

import org.jspecify.annotations.NullMarked;

/**
 * Deadlines and load limits: a default deadline for client calls that have none, a server-side
 * deadline cap, and concurrency and rate limits that answer {@code RESOURCE_EXHAUSTED} with a
 * {@code google.rpc.RetryInfo} before the service sees the call.
 */
@NullMarked
package io.github.grpcmiddleware.limits;

import org.jspecify.annotations.NullMarked;

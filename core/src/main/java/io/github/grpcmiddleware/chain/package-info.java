/**
 * The chain: one composite interceptor that runs the library's parts in the one correct order, and
 * the per-call record ({@link io.github.grpcmiddleware.chain.CallInfo}) through which inner parts
 * tell outer ones what happened.
 */
@NullMarked
package io.github.grpcmiddleware.chain;

import org.jspecify.annotations.NullMarked;

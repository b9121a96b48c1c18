/**
 * JUnit 5 helpers for testing gRPC services: an in-process (or Netty) server extension, capture of
 * headers, trailers and MDC, and assertions on a call's status and details.
 */
@NullMarked
package io.github.grpcmiddleware.testing;

import org.jspecify.annotations.NullMarked;

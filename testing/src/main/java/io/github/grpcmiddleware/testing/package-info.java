/**
 * JUnit 5 helpers for testing gRPC services: {@link
 * io.github.grpcmiddleware.testing.GrpcServerExtension} (an in-process or Netty server with
 * cleanup), captures of headers, trailers, MDC and log events, {@link
 * io.github.grpcmiddleware.testing.GrpcAssertions} on a call's status and decoded details, and
 * {@link io.github.grpcmiddleware.testing.TestCredentials}.
 *
 * <p>Needs only grpc-api, grpc-stub, grpc-inprocess, grpc-protobuf and junit-jupiter-api (5.x or
 * 6.x); grpc-netty-shaded, slf4j-api and logback-classic are optional and needed only by the
 * features that use them.
 */
@NullMarked
package io.github.grpcmiddleware.testing;

import org.jspecify.annotations.NullMarked;

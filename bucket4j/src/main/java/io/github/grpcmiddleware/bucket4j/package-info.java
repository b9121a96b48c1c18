/**
 * Rate limits shared by every replica of a service: {@link
 * io.github.grpcmiddleware.bucket4j.Bucket4jLimiters} turns any Bucket4j {@code ProxyManager} with
 * an asynchronous mode (Redis through Lettuce or Redisson, and Bucket4j's other stores that support
 * it; not Jedis or JCache) into an {@link io.github.grpcmiddleware.limits.AsyncLimiterFactory} for
 * the limits part's {@code asyncLimit}, so that a limit of N calls per second is N for the whole
 * service, not per process.
 */
@NullMarked
package io.github.grpcmiddleware.bucket4j;

import org.jspecify.annotations.NullMarked;

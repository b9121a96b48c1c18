/** JMH benchmarks of each interceptor and the whole chain. */
@NullMarked
package io.github.grpcmiddleware.benchmarks;

import org.jspecify.annotations.NullMarked;

/**
 * The chain: one composite interceptor that runs the library's parts in the one correct order, and
 * the one-call installation that adds the stream tracer which makes every record truthful.
 */
@NullMarked
package io.github.grpcmiddleware.chain;

import org.jspecify.annotations.NullMarked;

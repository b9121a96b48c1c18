/**
 * Internal: the per-call scope the library's parts share. This package is not for public use; it
 * may change without notice in any release, and is public only because the library's other modules
 * (i18n, otel) and its benchmarks need it.
 */
@NullMarked
package io.github.grpcmiddleware.internal;

import org.jspecify.annotations.NullMarked;

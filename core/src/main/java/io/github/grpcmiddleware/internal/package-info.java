/**
 * Internal: the per-call scope the library's parts share, and implementation classes shared by the
 * library's modules. This package is internal and is hence not for public use. Its APIs are
 * unstable and can change at any time. It is public only because the library's other modules (i18n,
 * otel, validation) and its benchmarks need it; its types are not in the API signature files
 * (docs/api.md).
 */
@NullMarked
package io.github.grpcmiddleware.internal;

import org.jspecify.annotations.NullMarked;

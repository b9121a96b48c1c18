/**
 * Implementation of the i18n module: the {@code accept-language} parser and the locale matcher. Not
 * API: public only so the benchmarks can measure them; anything here may change in any release.
 */
@NullMarked
package io.github.grpcmiddleware.i18n.internal;

import org.jspecify.annotations.NullMarked;

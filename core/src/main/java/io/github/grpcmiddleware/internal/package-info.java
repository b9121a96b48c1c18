/**
 * Implementation classes shared by the library's modules. Not for public use; may change without
 * notice.
 */
@NullMarked
package io.github.grpcmiddleware.internal;

import org.jspecify.annotations.NullMarked;

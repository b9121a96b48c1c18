/** Accept-Language resolution and localized error messages from UTF-8 message catalogs. */
@NullMarked
package io.github.grpcmiddleware.i18n;

import org.jspecify.annotations.NullMarked;

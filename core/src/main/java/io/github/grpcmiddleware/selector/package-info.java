/**
 * Method selection: which calls an interceptor applies to, by exact full method name, whole service
 * or simple prefix pattern, decided without regular expressions on the call path.
 */
@NullMarked
package io.github.grpcmiddleware.selector;

import org.jspecify.annotations.NullMarked;

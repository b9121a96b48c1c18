/**
 * Authentication: credentials injected by clients and checked by servers, with per-method
 * exemptions; credentials are never logged.
 */
@NullMarked
package io.github.grpcmiddleware.auth;

import org.jspecify.annotations.NullMarked;

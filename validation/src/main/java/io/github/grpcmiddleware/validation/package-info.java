/**
 * Request validation: protovalidate ({@code buf.validate}) rules checked on every request message
 * before the service sees it; violations become {@code INVALID_ARGUMENT} with a localized {@code
 * google.rpc.BadRequest}. Needs protobuf-java 4.x at run time (see {@link
 * io.github.grpcmiddleware.validation.Validation}).
 */
@NullMarked
package io.github.grpcmiddleware.validation;

import org.jspecify.annotations.NullMarked;

/**
 * The caller's language: {@link io.github.grpcmiddleware.i18n.Locales} resolves {@code
 * accept-language} into a supported {@link java.util.Locale} held in the call's {@code
 * io.grpc.Context} (and sends it from clients), and {@link
 * io.github.grpcmiddleware.i18n.LocalizedMessages} turns message keys into text from UTF-8
 * catalogs, for error mapping's localized descriptions and {@code google.rpc.LocalizedMessage}.
 */
@NullMarked
package io.github.grpcmiddleware.i18n;

import org.jspecify.annotations.NullMarked;

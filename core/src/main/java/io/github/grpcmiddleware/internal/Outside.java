package io.github.grpcmiddleware.internal;

import io.grpc.Context;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>What a call wrapper saves while it puts a call's MDC entries and Context around a send from
 * outside the call's callbacks; made on the first such send.
 */
final class Outside {
  final @Nullable String[] saved = new String[CallMdc.SLOTS];
  @Nullable Context previous;
}

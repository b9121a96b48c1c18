package io.github.grpcmiddleware.errors;

import io.grpc.Status;
import java.util.Objects;

/**
 * The message keys of the library's own messages. Core holds the English defaults and the i18n
 * module ships translations; a key in your own catalog (which comes first) rewords that message.
 *
 * <p>This class is thread-safe.
 */
public final class MessageKeys {

  /** Internal error; argument {@code {0}} is the call's trace id. */
  public static final String INTERNAL = "grpcmiddleware.internal";

  /** Internal error of a call that has no trace id (no trace part in the chain); no arguments. */
  public static final String INTERNAL_NO_TRACE_ID = "grpcmiddleware.internal.notraceid";

  /** Credentials missing from the call. */
  public static final String AUTH_MISSING = "grpcmiddleware.auth.missing";

  /** Credentials present but not in a form the server understands. */
  public static final String AUTH_MALFORMED = "grpcmiddleware.auth.malformed";

  /** Credentials well formed but not valid. */
  public static final String AUTH_INVALID = "grpcmiddleware.auth.invalid";

  /** The identified caller may not call this method. */
  public static final String AUTH_DENIED = "grpcmiddleware.auth.denied";

  /** The call arrived over a connection without transport security. */
  public static final String AUTH_INSECURE = "grpcmiddleware.auth.insecure";

  /** The identity provider could not be reached. */
  public static final String AUTH_UNAVAILABLE = "grpcmiddleware.auth.unavailable";

  /** A concurrency limit rejected the call (too many calls in flight). */
  public static final String LIMIT_CONCURRENCY = "grpcmiddleware.limit.concurrency";

  /** A rate limit rejected the call (too many calls per unit of time). */
  public static final String LIMIT_RATE = "grpcmiddleware.limit.rate";

  /**
   * An asynchronous limit that fails closed could not be checked (its store failed or was late).
   */
  public static final String LIMIT_UNAVAILABLE = "grpcmiddleware.limit.unavailable";

  /** The method requires a deadline and the call came without one. */
  public static final String DEADLINE_REQUIRED = "grpcmiddleware.deadline.required";

  /** The server's deadline cap for the method passed; argument {@code {0}} is the cap in ms. */
  public static final String DEADLINE_CAPPED = "grpcmiddleware.deadline.capped";

  private static final String[] CODE_KEYS = codeKeys();

  private MessageKeys() {}

  /**
   * Returns the key of the generic message for a status code, such as {@code
   * grpcmiddleware.code.NOT_FOUND}.
   *
   * @param code any code but {@link Status.Code#OK}; not null
   * @return the key; never null
   */
  public static String forCode(Status.Code code) {
    Objects.requireNonNull(code, "code");
    return CODE_KEYS[code.ordinal()];
  }

  private static String[] codeKeys() {
    Status.Code[] codes = Status.Code.values();
    String[] keys = new String[codes.length];
    for (Status.Code code : codes) {
      keys[code.ordinal()] = "grpcmiddleware.code." + code.name();
    }
    return keys;
  }
}

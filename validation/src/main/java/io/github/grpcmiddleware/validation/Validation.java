package io.github.grpcmiddleware.validation;

import io.grpc.ServerInterceptor;
import java.util.Objects;

/**
 * Entry point for request validation: a server interceptor that checks every request message
 * against its protovalidate ({@code buf.validate}) rules before the service sees it.
 *
 * <pre>{@code
 * ServerInterceptor validation = Validation.serverBuilder()
 *     .messageResolver(localizedMessages)   // the i18n module's LocalizedMessages
 *     .build();
 * ServerInterceptor chain = ServerChain.builder()
 *     .locale(locale).errorMapping(errors).auth(auth).validation(validation).build();
 * }</pre>
 *
 * <p><b>What the caller gets:</b> the first request message that breaks a rule ends the call with
 * {@code INVALID_ARGUMENT} and a {@code google.rpc.BadRequest} holding one {@code FieldViolation}
 * per violation: the field path as protovalidate reports it ({@code items[2].sku}) and a
 * description in the caller's language (message key {@link #messageKey(String)} of the rule id).
 * That message and every later message of the call are not delivered to the service. This is the
 * one place where the library itself answers {@code INVALID_ARGUMENT}: the service opted into rules
 * about its own API, so a violation is the caller's fault by definition.
 *
 * <p><b>What the service owner gets:</b> rules that fail to compile, or a rule whose evaluation
 * fails (a CEL error), fail the call with {@code INTERNAL} and are logged once per message type at
 * ERROR, without the exception's text ever reaching the caller. With {@link
 * ValidationServerBuilder#validateResponses(boolean)} responses are checked too; a bad response is
 * a server fault: {@code INTERNAL}, logged once per call.
 *
 * <p><b>Where it sits:</b> inside error mapping (which localizes the status description, adds the
 * trace id and keeps the trailers within its budget) and after auth, so an unauthenticated caller
 * learns nothing about the schema. Used alone it renders the status and details itself.
 *
 * <p><b>protobuf-java:</b> protovalidate needs protobuf-java 4.x (4.36 or newer for protovalidate
 * 1.3); grpc-java 1.85 brings 3.25.x. Pin protobuf-java 4.x in your dependency management;
 * generated code from protoc 3.25.x and from protoc 4.x up to your runtime's version both run on
 * it. {@link ValidationServerBuilder#build()} fails with a clear message on a 3.x runtime.
 *
 * <p>This class is thread-safe.
 */
public final class Validation {

  /** Every validation message key starts with this; the rest is the normalized rule id. */
  public static final String MESSAGE_KEY_PREFIX = "grpcmiddleware.validation.";

  private Validation() {}

  /**
   * Returns an interceptor that validates the requests of every method, with English descriptions.
   *
   * @return a thread-safe server interceptor; never null
   * @throws IllegalStateException when protobuf-java on the class path is older than 4.x
   */
  public static ServerInterceptor newServerInterceptor() {
    return serverBuilder().build();
  }

  /**
   * Returns a new builder.
   *
   * @return a builder that validates requests of every method, not responses; never null
   */
  public static ValidationServerBuilder serverBuilder() {
    return new ValidationServerBuilder();
  }

  /**
   * Returns the message key of a protovalidate rule id, as looked up in the message catalogs.
   * Numeric rules share one key per kind whatever the field's type ({@code int32.gt} and {@code
   * double.gt} both become {@code grpcmiddleware.validation.number.gt}); other ids are kept as they
   * are ({@code string.min_len} becomes {@code grpcmiddleware.validation.string.min_len}).
   *
   * @param ruleId the rule id, such as {@code string.email}; not null
   * @return the message key; never null
   */
  public static String messageKey(String ruleId) {
    Objects.requireNonNull(ruleId, "ruleId");
    return MESSAGE_KEY_PREFIX + RuleMessages.normalize(ruleId);
  }
}

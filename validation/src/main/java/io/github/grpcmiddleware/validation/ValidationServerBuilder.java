package io.github.grpcmiddleware.validation;

import build.buf.protovalidate.Validator;
import build.buf.protovalidate.ValidatorFactory;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.errors.ErrorMappingServerBuilder;
import io.github.grpcmiddleware.errors.MessageResolver;
import io.github.grpcmiddleware.internal.MessageTexts;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ServerInterceptor;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures the validation interceptor; obtained from {@link Validation#serverBuilder()}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs, so one builder may build several
 * interceptors.
 */
public final class ValidationServerBuilder {

  private MethodSelector methods = MethodSelector.of("*");
  private @Nullable MessageResolver messageResolver;
  private @Nullable Validator validator;
  private boolean validateResponses;
  private int trailerBudget = ErrorMapping.DEFAULT_TRAILER_BUDGET;

  ValidationServerBuilder() {}

  /**
   * Chooses the methods whose messages are validated; the others pass through untouched.
   *
   * @param selector the methods; not null; default every method ({@code *})
   * @return this builder
   */
  public ValidationServerBuilder methods(MethodSelector selector) {
    this.methods = Objects.requireNonNull(selector, "selector");
    return this;
  }

  /**
   * Sets how violation descriptions are localized: pass the same resolver as error mapping (the
   * i18n module's {@code LocalizedMessages}, whose catalogs ship the validation messages in the
   * library's languages). Keys the resolver does not know fall back to the English defaults, then
   * to protovalidate's own message (the text of a custom CEL rule).
   *
   * @param resolver the resolver; not null; must be thread-safe
   * @return this builder
   */
  public ValidationServerBuilder messageResolver(MessageResolver resolver) {
    this.messageResolver = Objects.requireNonNull(resolver, "resolver");
    return this;
  }

  /**
   * Uses a protovalidate validator built by the application (for example with {@code
   * Config.newBuilder().setFailFast(true)} or an extension registry for predefined rules).
   *
   * @param protovalidate the validator; not null; must be thread-safe (protovalidate's are)
   * @return this builder
   */
  public ValidationServerBuilder validator(Validator protovalidate) {
    this.validator = Objects.requireNonNull(protovalidate, "protovalidate");
    return this;
  }

  /**
   * Also validates every response message before it is sent. A response that breaks its rules is
   * the service's bug: the call fails with {@code INTERNAL}, the violation is logged once at ERROR
   * (field paths and rule ids, never values), and later responses of the call are dropped.
   *
   * @param enabled true to check responses; default false
   * @return this builder
   */
  public ValidationServerBuilder validateResponses(boolean enabled) {
    this.validateResponses = enabled;
    return this;
  }

  /**
   * Sets the trailer budget the {@code BadRequest} is cut to: field violations are kept, in the
   * order protovalidate reports them, while their base64 size stays within half the budget. Use the
   * same value as {@link ErrorMappingServerBuilder#trailerBudget(int)}, which then fits the whole
   * error.
   *
   * @param bytes the budget; default {@value ErrorMapping#DEFAULT_TRAILER_BUDGET}; at least {@value
   *     ErrorMapping#MIN_TRAILER_BUDGET}
   * @return this builder
   */
  public ValidationServerBuilder trailerBudget(int bytes) {
    this.trailerBudget = bytes;
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return a thread-safe server interceptor; never null
   * @throws IllegalArgumentException when the trailer budget is below {@value
   *     ErrorMapping#MIN_TRAILER_BUDGET}
   * @throws IllegalStateException when protobuf-java on the class path is not a 4.x version that
   *     protovalidate can run on
   */
  public ServerInterceptor build() {
    MessageTexts.checkTrailerBudget(trailerBudget, ErrorMapping.MIN_TRAILER_BUDGET);
    ProtobufRuntime.check();
    Validator protovalidate = validator;
    if (protovalidate == null) {
      protovalidate = ValidatorFactory.newBuilder().build();
    }
    RuleMessages messages = new RuleMessages(messageResolver, trailerBudget);
    return new ValidationServerInterceptor(
        methods, new MessageChecks(protovalidate), messages, validateResponses);
  }
}

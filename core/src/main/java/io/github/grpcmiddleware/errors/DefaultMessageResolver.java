package io.github.grpcmiddleware.errors;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.internal.MessageTexts;
import io.grpc.Context;
import java.util.List;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The English messages in {@code default-messages.properties}, used when no {@link MessageResolver}
 * is configured and as the last fallback when the configured one has no text.
 *
 * <p>This class is thread-safe.
 */
final class DefaultMessageResolver implements MessageResolver {

  /** Where the English defaults live; the i18n module reads the same file as its last fallback. */
  static final String RESOURCE = "/io/github/grpcmiddleware/errors/default-messages.properties";

  static final String LANGUAGE_TAG = "en";

  static final DefaultMessageResolver INSTANCE =
      new DefaultMessageResolver(MessageTexts.loadCatalog(DefaultMessageResolver.class, RESOURCE));

  private final Properties messages;

  private DefaultMessageResolver(Properties messages) {
    this.messages = messages;
  }

  @Override
  public @Nullable LocalizedMessage resolve(Context callContext, String key, List<?> args) {
    String pattern = messages.getProperty(key);
    return pattern == null ? null : english(pattern, args);
  }

  /** Returns the English generic message of a code; never null (falls back to the code's name). */
  LocalizedMessage forCode(io.grpc.Status.Code code, List<?> args) {
    LocalizedMessage message = resolve(Context.ROOT, MessageKeys.forCode(code), args);
    return message != null ? message : english(code.name(), args);
  }

  /** Formats an English pattern; a malformed pattern is returned as it is rather than throwing. */
  static LocalizedMessage english(String pattern, List<?> args) {
    return MessageTexts.english(pattern, args);
  }
}

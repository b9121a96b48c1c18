package io.github.grpcmiddleware.internal;

import com.google.rpc.LocalizedMessage;
import io.github.grpcmiddleware.errors.MessageResolver;
import io.grpc.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>What the parts that render localized errors (error mapping in core, validation) share: the
 * English fallback text, the resolver call that never fails the call, the check of a locale tag
 * before it goes into a header, and the reading of a UTF-8 message catalog.
 *
 * <p>This class is thread-safe.
 */
public final class MessageTexts {

  private MessageTexts() {}

  /**
   * Formats an English pattern ({@link MessageFormat}); a pattern that does not parse is used as it
   * is.
   *
   * @param pattern the pattern; not null
   * @param args its arguments; not null
   * @return the message, in locale {@code en}; never null
   */
  public static LocalizedMessage english(String pattern, List<?> args) {
    String text;
    try {
      text = new MessageFormat(pattern, Locale.ENGLISH).format(args.toArray());
    } catch (IllegalArgumentException e) {
      text = pattern;
    }
    return LocalizedMessage.newBuilder().setLocale("en").setMessage(text).build();
  }

  /**
   * Asks a resolver for a message; a resolver that throws counts as one that has none, so that a
   * broken catalog never turns an error's rendering into another error.
   *
   * @param resolver the resolver, or null for none
   * @param callContext the call's Context; not null
   * @param key the message key; not null
   * @param args its arguments; not null
   * @return the message, or null
   */
  public static @Nullable LocalizedMessage resolveQuietly(
      @Nullable MessageResolver resolver, Context callContext, String key, List<?> args) {
    if (resolver == null) {
      return null;
    }
    try {
      return resolver.resolve(callContext, key, args);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Tells whether a tag is a BCP-47-looking tag of letters, digits and hyphens (at most 64), which
   * is safe to send in an ASCII header such as {@code content-language}.
   *
   * @param tag the tag; not null
   * @return true when it is safe
   */
  public static boolean isLanguageTag(String tag) {
    if (tag.isEmpty() || tag.length() > 64) {
      return false;
    }
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads a message catalog shipped in a jar, as UTF-8.
   *
   * @param owner the class whose loader finds it; not null
   * @param resource its absolute resource name; not null
   * @return the properties; never null
   * @throws IllegalStateException when the resource is missing or unreadable (a broken jar)
   */
  public static Properties loadCatalog(Class<?> owner, String resource) {
    Properties properties = new Properties();
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        properties.load(reader);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    return properties;
  }

  /**
   * Checks a trailer budget given to a builder.
   *
   * @param bytes the budget
   * @param minimum the least budget that fits a status with its code and a short description
   * @throws IllegalArgumentException when {@code bytes} is below {@code minimum}
   */
  public static void checkTrailerBudget(int bytes, int minimum) {
    if (bytes < minimum) {
      throw new IllegalArgumentException(
          "trailerBudget: " + bytes + " (expected: >= " + minimum + ")");
    }
  }
}

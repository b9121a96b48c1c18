package io.github.grpcmiddleware.i18n;

import io.github.grpcmiddleware.internal.ClientHeaderPart;
import io.github.grpcmiddleware.internal.HeaderKeys;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code accept-language}; see {@link LocalesClientBuilder}. Its only work is a header at the
 * call's start ({@link ClientHeaderPart}), so in a client chain it runs inside the tracing part's
 * call wrapper when it sits right outside it.
 */
final class LocalesClientInterceptor implements ClientInterceptor, ClientHeaderPart {

  private static final Logger logger = LoggerFactory.getLogger(LocalesClientInterceptor.class);

  private final Supplier<@Nullable Locale> supplier;
  private final List<String> fallbackTags;
  private final String fallbackSuffix;
  private final @Nullable String fallbackOnly;

  /** The last preferred locale and its header, so a steady locale costs no string building. */
  private volatile @Nullable Header last;

  LocalesClientInterceptor(
      Supplier<@Nullable Locale> supplier, List<String> fallbackTags, String fallbackSuffix) {
    this.supplier = supplier;
    this.fallbackTags = new ArrayList<>(fallbackTags);
    this.fallbackSuffix = fallbackSuffix;
    // The suffix starts with ", ".
    this.fallbackOnly = fallbackSuffix.isEmpty() ? null : fallbackSuffix.substring(2);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT>(
        next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> responseListener, Metadata headers) {
        addHeaders(headers);
        super.start(responseListener, headers);
      }
    };
  }

  @Override
  public void addHeaders(Metadata headers) {
    if (!headers.containsKey(HeaderKeys.ACCEPT_LANGUAGE)) {
      String value = headerValue();
      if (value != null) {
        headers.put(HeaderKeys.ACCEPT_LANGUAGE, value);
      }
    }
  }

  private @Nullable String headerValue() {
    Locale locale;
    try {
      locale = supplier.get();
    } catch (RuntimeException e) {
      logger.debug("accept-language supplier failed; sending fallbacks only", e);
      return fallbackOnly;
    }
    if (locale == null) {
      return fallbackOnly;
    }
    Header cached = last;
    if (cached != null && cached.locale.equals(locale)) {
      return cached.value;
    }
    String tag = locale.toLanguageTag();
    String value;
    if ("und".equals(tag)) {
      value = fallbackOnly;
    } else if (fallbackTags.contains(tag)) {
      value = tag + withoutTag(tag);
    } else {
      value = tag + fallbackSuffix;
    }
    last = new Header(locale, value);
    return value;
  }

  /** The fallback suffix without the entry for {@code tag}, which is already sent first. */
  private String withoutTag(String tag) {
    StringBuilder suffix = new StringBuilder();
    for (String part : fallbackSuffix.substring(2).split(", ", -1)) {
      int semi = part.indexOf(';');
      if (!(semi < 0 ? part : part.substring(0, semi)).equals(tag)) {
        suffix.append(", ").append(part);
      }
    }
    return suffix.toString();
  }

  private static final class Header {
    final Locale locale;
    final @Nullable String value;

    Header(Locale locale, @Nullable String value) {
      this.locale = locale;
      this.value = value;
    }
  }
}

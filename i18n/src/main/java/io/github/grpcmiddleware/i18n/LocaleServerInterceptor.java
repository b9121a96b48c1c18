package io.github.grpcmiddleware.i18n;

import io.github.grpcmiddleware.chain.CallInfo;
import io.github.grpcmiddleware.chain.InternalCallInfo;
import io.github.grpcmiddleware.i18n.internal.AcceptLanguage;
import io.github.grpcmiddleware.i18n.internal.LocaleMatcher;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Iterator;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** Resolves the caller's locale; see {@link LocaleServerBuilder}. */
final class LocaleServerInterceptor implements ServerInterceptor {

  static final Metadata.Key<String> ACCEPT_LANGUAGE =
      Metadata.Key.of("accept-language", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> CONTENT_LANGUAGE =
      Metadata.Key.of("content-language", Metadata.ASCII_STRING_MARSHALLER);
  static final String MDC_KEY = "locale";

  private final LocaleMatcher matcher;
  private final boolean mdc;
  private final boolean contentLanguage;

  LocaleServerInterceptor(LocaleMatcher matcher, boolean mdc, boolean contentLanguage) {
    this.matcher = matcher;
    this.mdc = mdc;
    this.contentLanguage = contentLanguage;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    LocaleMatcher.SupportedLocale resolved = matcher.match(acceptLanguage(headers));
    // Inside a chain the locale goes in the chain's CallInfo, whose Context is already attached
    // around every callback; otherwise (or when a locale part already ran) in a Context of ours.
    CallInfo info = CallInfo.current();
    Context context =
        info != null && InternalCallInfo.setLocale(info, resolved.locale())
            ? null
            : Context.current().withValue(Locales.LOCALE_KEY, resolved.locale());
    ServerCall<ReqT, RespT> forwarded =
        contentLanguage ? new ContentLanguageCall<>(call, resolved.tag()) : call;
    if (!mdc) {
      return InternalCallInfo.startCall(context, forwarded, headers, next);
    }
    String tag = resolved.tag();
    String previous = MDC.get(MDC_KEY);
    MDC.put(MDC_KEY, tag);
    try {
      return new MdcListener<>(InternalCallInfo.startCall(context, forwarded, headers, next), tag);
    } finally {
      restore(previous);
    }
  }

  /** Joins repeated headers as HTTP does, reading no more than the parser will look at. */
  private static @Nullable String acceptLanguage(Metadata headers) {
    Iterable<String> values = headers.getAll(ACCEPT_LANGUAGE);
    if (values == null) {
      return null;
    }
    Iterator<String> it = values.iterator();
    if (!it.hasNext()) {
      return null;
    }
    String first = it.next();
    if (!it.hasNext()) {
      return first;
    }
    StringBuilder joined = new StringBuilder(first);
    while (it.hasNext() && joined.length() <= AcceptLanguage.MAX_LENGTH) {
      joined.append(',').append(it.next());
    }
    return joined.toString();
  }

  static void restore(@Nullable String previous) {
    if (previous == null) {
      MDC.remove(MDC_KEY);
    } else {
      MDC.put(MDC_KEY, previous);
    }
  }

  private static final class ContentLanguageCall<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final String tag;

    ContentLanguageCall(ServerCall<ReqT, RespT> delegate, String tag) {
      super(delegate);
      this.tag = tag;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      if (!headers.containsKey(CONTENT_LANGUAGE)) {
        headers.put(CONTENT_LANGUAGE, tag);
      }
      super.sendHeaders(headers);
    }
  }

  private static final class MdcListener<ReqT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
    private final String tag;

    MdcListener(ServerCall.Listener<ReqT> delegate, String tag) {
      super(delegate);
      this.tag = tag;
    }

    @Override
    public void onMessage(ReqT message) {
      String previous = MDC.get(MDC_KEY);
      MDC.put(MDC_KEY, tag);
      try {
        super.onMessage(message);
      } finally {
        restore(previous);
      }
    }

    @Override
    public void onHalfClose() {
      String previous = MDC.get(MDC_KEY);
      MDC.put(MDC_KEY, tag);
      try {
        super.onHalfClose();
      } finally {
        restore(previous);
      }
    }

    @Override
    public void onCancel() {
      String previous = MDC.get(MDC_KEY);
      MDC.put(MDC_KEY, tag);
      try {
        super.onCancel();
      } finally {
        restore(previous);
      }
    }

    @Override
    public void onComplete() {
      String previous = MDC.get(MDC_KEY);
      MDC.put(MDC_KEY, tag);
      try {
        super.onComplete();
      } finally {
        restore(previous);
      }
    }

    @Override
    public void onReady() {
      String previous = MDC.get(MDC_KEY);
      MDC.put(MDC_KEY, tag);
      try {
        super.onReady();
      } finally {
        restore(previous);
      }
    }
  }
}

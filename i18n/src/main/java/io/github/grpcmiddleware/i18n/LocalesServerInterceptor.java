package io.github.grpcmiddleware.i18n;

import io.github.grpcmiddleware.internal.HeaderKeys;
import io.github.grpcmiddleware.internal.PipelineCall;
import io.github.grpcmiddleware.internal.ServerCallScope;
import io.github.grpcmiddleware.internal.ServerPart;
import io.github.grpcmiddleware.internal.StartResult;
import io.grpc.Metadata;
import java.util.Iterator;
import org.jspecify.annotations.Nullable;

/** Resolves the caller's locale; see {@link LocalesServerBuilder}. */
final class LocalesServerInterceptor extends ServerPart {

  static final String MDC_KEY = "locale";

  private final LocaleMatcher matcher;
  private final boolean mdc;
  private final boolean contentLanguage;

  LocalesServerInterceptor(LocaleMatcher matcher, boolean mdc, boolean contentLanguage) {
    super(LOCALE, ON_START, "locale", "Locales");
    this.matcher = matcher;
    this.mdc = mdc;
    this.contentLanguage = contentLanguage;
  }

  @Override
  public StartResult start(ServerCallScope scope, PipelineCall<?, ?> call, Metadata headers) {
    // The call's record puts the tag in the MDC and sends content-language.
    LocaleMatcher.SupportedLocale resolved = matcher.match(acceptLanguage(headers));
    scope.setLocale(resolved.locale(), resolved.tag(), mdc ? MDC_KEY : null, contentLanguage);
    return StartResult.CONTINUE;
  }

  /** Joins repeated headers as HTTP does, reading no more than the parser will look at. */
  private static @Nullable String acceptLanguage(Metadata headers) {
    Iterable<String> values = headers.getAll(HeaderKeys.ACCEPT_LANGUAGE);
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
}

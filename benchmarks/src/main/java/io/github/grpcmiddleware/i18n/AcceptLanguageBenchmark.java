package io.github.grpcmiddleware.i18n;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Resolving an {@code accept-language} value to one of two supported locales (en, zh-CN): ours (the
 * matcher behind the locale interceptor, with its cache and without) against the JDK's {@code
 * Locale.LanguageRange.parse} + {@code Locale.lookup}. Headers: see {@link AcceptLanguageHeaders}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("NullAway.Init")
public class AcceptLanguageBenchmark {

  static final String[] HEADERS = {
    "browser_en", "browser_zh", "browser_fr", "java_underscore", "huge_8k", "huge_8k_bad_q"
  };

  /** The header; see {@link AcceptLanguageHeaders#header(String)}. */
  @Param({"browser_en", "browser_zh", "browser_fr", "java_underscore", "huge_8k", "huge_8k_bad_q"})
  public String header;

  private String value;
  private LocaleMatcher cached;
  private LocaleMatcher uncached;

  /** Builds the header and the matchers (the interceptor's default cache size: 256). */
  @Setup
  public void setUp() {
    value = AcceptLanguageHeaders.header(header);
    cached = new LocaleMatcher(AcceptLanguageHeaders.SUPPORTED, Locale.ENGLISH, 256);
    uncached = new LocaleMatcher(AcceptLanguageHeaders.SUPPORTED, Locale.ENGLISH, 0);
  }

  /**
   * Ours, as the interceptor runs it (values up to 256 characters are cached).
   *
   * @return the locale
   */
  @Benchmark
  public Locale ours() {
    return AcceptLanguageHeaders.ours(cached, value);
  }

  /**
   * Ours without the cache: parse and match every time.
   *
   * @return the locale
   */
  @Benchmark
  public Locale oursUncached() {
    return AcceptLanguageHeaders.ours(uncached, value);
  }

  /**
   * The JDK.
   *
   * @return the locale
   */
  @Benchmark
  public Locale jdk() {
    return AcceptLanguageHeaders.jdk(value);
  }
}

package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.selector.MethodSelector;
import io.grpc.ClientInterceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Configures the client limits part; obtained from {@link Limits#clientBuilder()}.
 *
 * <p>Not thread-safe; {@link #build()} copies what it needs and the interceptor it returns is
 * immutable and thread-safe.
 */
public final class LimitsClientBuilder {

  private final List<DeadlineCap> defaults = new ArrayList<>();

  LimitsClientBuilder() {}

  /**
   * Gives calls to the selected methods a deadline of {@code timeout} from the moment they start,
   * when they have none: neither in their {@code CallOptions} nor in the current {@code Context}
   * (inside a server handler, the incoming call's deadline already applies). A call that has a
   * deadline keeps it, shorter or longer. When several defaults match a method, the first added
   * wins.
   *
   * <p>In a {@code ClientChain} the part sits nearest the application, so the access log and
   * metrics see the deadline it set.
   *
   * @param methods the methods; not null
   * @param timeout the deadline given; not null, positive
   * @return this builder
   */
  public LimitsClientBuilder defaultDeadline(MethodSelector methods, Duration timeout) {
    if (methods == null) {
      throw new NullPointerException("methods");
    }
    if (timeout == null) {
      throw new NullPointerException("timeout");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    defaults.add(new DeadlineCap(methods, Permits.saturatedNanos(timeout)));
    return this;
  }

  /**
   * Builds the interceptor.
   *
   * @return the interceptor; never null
   */
  public ClientInterceptor build() {
    return new DefaultDeadlineClientInterceptor(defaults.toArray(new DeadlineCap[0]));
  }
}

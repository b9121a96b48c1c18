package io.github.grpcmiddleware.auth;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A token handed out by a {@link TokenSource}, with the instant it stops being valid.
 *
 * <p>{@link #toString()} never shows the token. This class is immutable and thread-safe.
 */
public final class AccessToken {
  private final String token;
  private final @Nullable Instant expiresAt;

  private AccessToken(String token, @Nullable Instant expiresAt) {
    this.token = token;
    this.expiresAt = expiresAt;
  }

  /**
   * Returns a token that expires at the given instant.
   *
   * @param token the token (its characters are checked when it is used: visible ASCII only); not
   *     null
   * @param expiresAt when the token stops being valid; {@code null} for never
   * @return the token; never null
   */
  public static AccessToken of(String token, @Nullable Instant expiresAt) {
    Objects.requireNonNull(token, "token");
    return new AccessToken(token, expiresAt);
  }

  /**
   * Returns the token.
   *
   * @return the token; never null
   */
  public String getToken() {
    return token;
  }

  /**
   * Returns when the token stops being valid.
   *
   * @return the instant, or {@code null} when it never expires
   */
  public @Nullable Instant getExpiresAt() {
    return expiresAt;
  }

  @Override
  public String toString() {
    return "AccessToken[expiresAt=" + expiresAt + "]";
  }
}

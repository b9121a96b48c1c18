package io.github.grpcmiddleware.auth;

import io.github.grpcmiddleware.internal.HeaderKeys;
import io.grpc.Metadata;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Ready-made {@link Authenticator}s: static bearer tokens, static API keys, and token verifiers you
 * write (JWT, introspection).
 *
 * <p>Bearer authenticators read the {@code authorization} header: the scheme {@code Bearer} is
 * matched case-insensitively (RFC 7235), the token exactly. A missing header is {@code
 * UNAUTHENTICATED} "missing"; several {@code authorization} headers, another scheme ({@code Basic
 * x}), {@code Bearer} without a token, or a token with characters other than visible ASCII are
 * "malformed"; a token nobody knows is "invalid". Static secrets are compared in constant time.
 *
 * <p>This class is thread-safe.
 */
public final class Authenticators {

  private static final String BEARER = "Bearer";

  private Authenticators() {}

  /**
   * Accepts {@code authorization: Bearer <token>} for a fixed set of tokens.
   *
   * @param tokenToPrincipalName each accepted token and the name of the caller it identifies; not
   *     null, not empty; tokens must be visible ASCII without spaces
   * @return the authenticator; never null
   * @throws IllegalArgumentException when the map is empty or a token has illegal characters (the
   *     message never contains the token)
   * @throws NullPointerException when the map, a token or a name is null
   */
  public static Authenticator bearerTokens(Map<String, String> tokenToPrincipalName) {
    Objects.requireNonNull(tokenToPrincipalName, "tokenToPrincipalName");
    StaticSecrets secrets = new StaticSecrets("tokenToPrincipalName", tokenToPrincipalName);
    // Hashes the token where it sits in the header value: no substring per call.
    return (headers, attributes) -> {
      String value = single(headers, HeaderKeys.AUTHORIZATION);
      return secrets.verify(value, bearerTokenStart(value));
    };
  }

  /**
   * Accepts a fixed set of API keys sent in the given header.
   *
   * @param headerName the header, for example {@code x-api-key}; not null, a legal ASCII header
   *     name not ending in {@code -bin}
   * @param keyToPrincipalName each accepted key and the name of the caller it identifies; not null,
   *     not empty; keys must be visible ASCII without spaces
   * @return the authenticator; never null
   * @throws IllegalArgumentException when the header name is illegal, the map is empty or a key has
   *     illegal characters (the message never contains the key)
   * @throws NullPointerException when an argument, a key or a name is null
   */
  public static Authenticator apiKeys(String headerName, Map<String, String> keyToPrincipalName) {
    Objects.requireNonNull(headerName, "headerName");
    Objects.requireNonNull(keyToPrincipalName, "keyToPrincipalName");
    StaticSecrets secrets = new StaticSecrets("keyToPrincipalName", keyToPrincipalName);
    Metadata.Key<String> key = HeaderValues.asciiKey(headerName);
    return (headers, attributes) -> {
      String value = single(headers, key);
      if (!HeaderValues.isToken(value, 0)) {
        throw AuthenticationException.malformed();
      }
      return secrets.verify(value, 0);
    };
  }

  /**
   * Reads {@code authorization: Bearer <token>} and lets {@code verifier} decide who the token
   * identifies: the hook for JWT validation or token introspection.
   *
   * @param verifier checks the token; not null
   * @return the authenticator; never null
   */
  public static Authenticator bearer(TokenVerifier verifier) {
    Objects.requireNonNull(verifier, "verifier");
    return (headers, attributes) -> verifier.verify(bearerToken(headers));
  }

  /**
   * Reads an API key from the given header and lets {@code verifier} decide who it identifies.
   *
   * @param headerName the header, for example {@code x-api-key}; not null, a legal ASCII header
   *     name not ending in {@code -bin}
   * @param verifier checks the key; not null
   * @return the authenticator; never null
   * @throws IllegalArgumentException when the header name is illegal
   */
  public static Authenticator apiKey(String headerName, TokenVerifier verifier) {
    Objects.requireNonNull(headerName, "headerName");
    Objects.requireNonNull(verifier, "verifier");
    Metadata.Key<String> key = HeaderValues.asciiKey(headerName);
    return (headers, attributes) -> {
      String value = single(headers, key);
      if (!HeaderValues.isToken(value, 0)) {
        throw AuthenticationException.malformed();
      }
      return verifier.verify(value);
    };
  }

  /**
   * Returns the token of the call's {@code authorization: Bearer <token>} header, checked as the
   * bearer authenticators check it: for an {@link AsyncAuthenticator} that sends it to an identity
   * provider.
   *
   * @param headers the call's request headers; not null
   * @return the token, visible ASCII without spaces; never null or empty
   * @throws AuthenticationException {@code missing} without the header, {@code malformed} for
   *     several headers, another scheme, or a token with other characters
   */
  public static String bearerToken(Metadata headers) throws AuthenticationException {
    Objects.requireNonNull(headers, "headers");
    String value = single(headers, HeaderKeys.AUTHORIZATION);
    return value.substring(bearerTokenStart(value));
  }

  /**
   * Returns where the token starts in an {@code authorization} value of the form {@code Bearer
   * <token>}; the token runs to the end of the value and is visible ASCII.
   */
  private static int bearerTokenStart(String value) throws AuthenticationException {
    int length = BEARER.length();
    if (value.length() <= length + 1
        || !value.regionMatches(true, 0, BEARER, 0, length)
        || value.charAt(length) != ' ') {
      throw AuthenticationException.malformed();
    }
    int start = length + 1;
    while (start < value.length() && value.charAt(start) == ' ') {
      start++;
    }
    if (!HeaderValues.isToken(value, start)) {
      throw AuthenticationException.malformed();
    }
    return start;
  }

  private static String single(Metadata headers, Metadata.Key<String> key)
      throws AuthenticationException {
    Iterable<String> values = headers.getAll(key);
    if (values == null) {
      throw AuthenticationException.missing();
    }
    Iterator<String> iterator = values.iterator();
    String value = iterator.next();
    if (iterator.hasNext()) {
      throw AuthenticationException.malformed();
    }
    return value;
  }

  /** Static secrets kept as SHA-256 hashes and compared in constant time. */
  private static final class StaticSecrets {
    /** Longest secret whose bytes a thread keeps a buffer for; longer ones get one per call. */
    static final int MAX_REUSED_LENGTH = 8192;

    private static final int INITIAL_LENGTH = 64;
    private static final int HASH_LENGTH = 32;

    // Per thread, and JDK types only: a pool thread that outlives this library's class loader
    // (a redeployed web application) must not keep it alive through a value of our own class.
    private static final ThreadLocal<MessageDigest> SHA_256 =
        ThreadLocal.withInitial(StaticSecrets::newSha256);

    /** Per thread: [0] the presented secret's ASCII bytes, [1] its hash. */
    private static final ThreadLocal<byte[][]> BUFFERS =
        ThreadLocal.withInitial(
            () -> new byte[][] {new byte[INITIAL_LENGTH], new byte[HASH_LENGTH]});

    private final byte[][] hashes;
    private final Principal[] principals;

    StaticSecrets(String what, Map<String, String> secretToName) {
      if (secretToName.isEmpty()) {
        throw new IllegalArgumentException(what + ": {} (expected: at least one entry)");
      }
      hashes = new byte[secretToName.size()][];
      principals = new Principal[secretToName.size()];
      int i = 0;
      for (Map.Entry<String, String> entry : secretToName.entrySet()) {
        String secret = entry.getKey();
        if (secret == null || entry.getValue() == null) {
          throw new NullPointerException(
              what
                  + ": entry "
                  + i
                  + " has a null "
                  + (secret == null ? "secret" : "principal name")
                  + " (expected: non-null secrets and names)");
        }
        if (!HeaderValues.isToken(secret, 0)) {
          throw new IllegalArgumentException(
              what
                  + ": entry "
                  + i
                  + " has an empty secret or a character that is not visible"
                  + " ASCII (expected: 0x21-0x7E only)");
        }
        hashes[i] = sha256(secret, 0).clone();
        principals[i] = new NamedPrincipal(entry.getValue());
        i++;
      }
    }

    /**
     * Returns the principal of the secret that {@code value} holds from {@code start} to its end.
     * The caller has checked that this part is visible ASCII.
     */
    Principal verify(String value, int start) throws AuthenticationException {
      byte[] hash = sha256(value, start);
      @Nullable Principal found = null;
      for (int i = 0; i < hashes.length; i++) {
        // No early exit: every entry is compared whatever matched.
        if (MessageDigest.isEqual(hash, hashes[i])) {
          found = principals[i];
        }
      }
      if (found == null) {
        throw AuthenticationException.invalid();
      }
      return found;
    }

    /**
     * Hashes the ASCII characters of {@code value} from {@code start} on into this thread's hash
     * buffer, which the caller reads before hashing again on the same thread.
     */
    private static byte[] sha256(String value, int start) {
      // The thread's digest and buffers: MessageDigest.getInstance costs a provider lookup and
      // about 270 bytes, and substring, getBytes and digest() one array each, on every call.
      byte[][] buffers = BUFFERS.get();
      int length = value.length() - start;
      byte[] ascii = buffers[0];
      if (ascii.length < length) {
        if (length <= MAX_REUSED_LENGTH) {
          ascii = new byte[Math.min(Math.max(length, ascii.length * 2), MAX_REUSED_LENGTH)];
          buffers[0] = ascii;
        } else {
          ascii = new byte[length];
        }
      }
      for (int i = 0; i < length; i++) {
        ascii[i] = (byte) value.charAt(start + i); // visible ASCII: one byte per char
      }
      byte[] hash = buffers[1];
      MessageDigest digest = SHA_256.get();
      try {
        digest.update(ascii, 0, length);
        digest.digest(hash, 0, HASH_LENGTH);
      } catch (DigestException e) {
        digest.reset();
        throw new IllegalStateException("SHA-256 hashes are 32 bytes long", e);
      } finally {
        // The buffer outlives the call: do not leave the secret in it.
        Arrays.fill(ascii, 0, length, (byte) 0);
      }
      return hash;
    }

    private static MessageDigest newSha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every Java platform", e);
      }
    }
  }
}

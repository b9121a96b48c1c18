package io.github.grpcmiddleware.chain;

import io.grpc.Context;
import java.security.Principal;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A mutable record of one server call, shared by the parts of the chain.
 *
 * <p>Values an inner interceptor puts in the {@link Context} are invisible to outer ones, so the
 * outermost part puts one {@code CallInfo} in the Context when the call starts; inner parts write
 * what they learn (auth: the principal's name; error mapping: the exception it mapped) and outer
 * parts (access log, metrics, spans) read it when the call ends.
 *
 * <p>This class is thread-safe: fields are written once by one part and read by others on any
 * thread.
 */
public final class CallInfo {

  private static final Context.Key<CallInfo> KEY = Context.key("grpcmiddleware-call-info");

  private volatile @Nullable String principalName;
  private volatile @Nullable Throwable mappedException;

  // Values the library's own parts would otherwise each put in a Context of their own (one more
  // Context, trie node and attach per callback each); read and written through InternalCallInfo.
  volatile @Nullable Object trace;
  volatile @Nullable Locale locale;
  volatile @Nullable Principal principal;

  /** Creates an empty record; parts that start a call use {@link #attachTo(Context)}. */
  public CallInfo() {}

  /**
   * Returns the record of the call whose Context is current.
   *
   * @return the record, or {@code null} when no part of the chain created one
   */
  public static @Nullable CallInfo current() {
    return KEY.get();
  }

  /**
   * Returns the record held in the given Context.
   *
   * @param context a Context captured from a call; not null
   * @return the record, or {@code null} when the Context holds none
   */
  public static @Nullable CallInfo fromContext(Context context) {
    return KEY.get(context);
  }

  /**
   * Returns a Context that holds this record, derived from {@code parent}.
   *
   * @param parent the call's Context; not null
   * @return the new Context; never null
   */
  public Context attachTo(Context parent) {
    return parent.withValue(KEY, this);
  }

  /**
   * Returns the authenticated principal's name, as auth recorded it.
   *
   * @return the name, or {@code null} when the call was not authenticated
   */
  public @Nullable String principalName() {
    return principalName;
  }

  /**
   * Records the authenticated principal's name. Never pass a credential.
   *
   * @param name the principal's name; not null
   */
  public void setPrincipalName(String name) {
    this.principalName = name;
  }

  /**
   * Returns the exception that error mapping turned into the call's status.
   *
   * @return the exception, or {@code null} when none was mapped
   */
  public @Nullable Throwable mappedException() {
    return mappedException;
  }

  /**
   * Records the exception that error mapping turned into the call's status.
   *
   * @param exception the exception; not null
   */
  public void setMappedException(Throwable exception) {
    this.mappedException = exception;
  }
}

package io.github.grpcmiddleware.internal;

import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>The MDC entries of a server call: one slot per value (trace id, span id, request id, locale,
 * principal), each with its key, its value and what the MDC held under the key before the current
 * bracket put it. The pipeline puts them around every callback and around sends from other threads,
 * and restores what was there.
 *
 * <p>One array holds all three per slot (each array's header costs 16 bytes per call), made when
 * the first entry is registered and only as long as the highest slot registered: a part used alone
 * that puts nothing in the MDC (limits, validation, the access log) never pays for it, and a call
 * with just a trace id pays for one slot, not five (AllocationProbe trace: 32 bytes instead of 80).
 */
abstract class CallMdc extends CallValues {

  static final int TRACE = 0;
  static final int SPAN = 1;
  static final int REQUEST = 2;
  static final int LOCALE = 3;
  static final int PRINCIPAL = 4;
  static final int SLOTS = 5;

  private @Nullable String @Nullable [] mdc;

  /**
   * The thread inside one of the call's brackets (the start, or a listener callback), else null.
   * Only the thread itself compares it with itself, which its own program order makes exact.
   */
  @Nullable Thread bracketThread;

  CallMdc(long startNanos, boolean viaTracer, String fullMethodName) {
    super(startNanos, viaTracer, fullMethodName);
  }

  /** Puts every entry, saving what the MDC held (a bracket's start). */
  final void putBracketEntries() {
    @Nullable String[] entries = mdc;
    for (int i = 0; entries != null && i < entries.length / 3; i++) {
      String key = entries[3 * i];
      String value = entries[3 * i + 1];
      if (key != null && value != null) {
        entries[3 * i + 2] = MDC.get(key);
        MDC.put(key, value);
      }
    }
  }

  /** Restores what {@link #putBracketEntries} replaced (a bracket's end). */
  final void restoreBracketEntries() {
    @Nullable String[] entries = mdc;
    for (int i = entries == null ? -1 : entries.length / 3 - 1; entries != null && i >= 0; i--) {
      String key = entries[3 * i];
      if (key != null && entries[3 * i + 1] != null) {
        restore(key, entries[3 * i + 2]);
        entries[3 * i + 2] = null;
      }
    }
  }

  /**
   * Whether the current thread is inside one of the call's brackets with this call's entries still
   * in the MDC: not only the thread (another call's bracket can be open inside this one on the same
   * thread, an in-process call under {@code directExecutor()}, and put its own entries), and not
   * after the application removed them. Each entry is compared by identity: the call put that very
   * instance.
   */
  @SuppressWarnings("ReferenceEquality") // the instance this call put, not an equal one
  final boolean inBracket() {
    if (bracketThread != Thread.currentThread()) {
      return false;
    }
    @Nullable String[] entries = mdc;
    for (int i = 0; entries != null && i < entries.length / 3; i++) {
      String key = entries[3 * i];
      String value = entries[3 * i + 1];
      if (key != null && value != null && MDC.get(key) != value) {
        return false;
      }
    }
    return true;
  }

  /** Whether the call has MDC entries at all. */
  final boolean hasMdc() {
    return mdc != null;
  }

  final void putMdc(@Nullable String[] saved) {
    @Nullable String[] entries = mdc;
    for (int i = 0; entries != null && i < entries.length / 3; i++) {
      String key = entries[3 * i];
      String value = entries[3 * i + 1];
      if (key != null && value != null) {
        saved[i] = MDC.get(key);
        MDC.put(key, value);
      }
    }
  }

  final void restoreMdc(@Nullable String[] saved) {
    @Nullable String[] entries = mdc;
    for (int i = entries == null ? -1 : entries.length / 3 - 1; entries != null && i >= 0; i--) {
      String key = entries[3 * i];
      if (key != null && entries[3 * i + 1] != null) {
        restore(key, saved[i]);
        saved[i] = null;
      }
    }
  }

  private static void restore(String key, @Nullable String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }

  @Override
  final void putSlot(int slot, @Nullable String key, @Nullable String value) {
    @Nullable String[] entries = mdc;
    if (entries == null || entries.length <= 3 * slot) {
      if (key == null || value == null) {
        return; // nothing registered in this slot, nothing to register
      }
      @Nullable String[] grown = new String[3 * (slot + 1)];
      if (entries != null) {
        System.arraycopy(entries, 0, grown, 0, entries.length);
      }
      entries = grown;
      mdc = entries;
    }
    String oldKey = entries[3 * slot];
    boolean wasPut = oldKey != null && entries[3 * slot + 1] != null;
    // Inside a bracket on this thread, a new entry is put at once (and restored at its end).
    boolean live = bracketThread == Thread.currentThread();
    if (live && wasPut && !oldKey.equals(key)) {
      // A part replaced the key inside a bracket: give the old key back what it held.
      restore(oldKey, entries[3 * slot + 2]);
      entries[3 * slot + 2] = null;
      wasPut = false;
    }
    entries[3 * slot] = key;
    entries[3 * slot + 1] = value;
    if (live && key != null && value != null) {
      if (!wasPut) {
        entries[3 * slot + 2] = MDC.get(key);
      }
      MDC.put(key, value);
    }
  }

  @Override
  final boolean hasKey(int slot) {
    @Nullable String[] entries = mdc;
    return entries != null && entries.length > 3 * slot && entries[3 * slot] != null;
  }

  /**
   * Puts the MDC entries of this call on the current thread, for code that logs outside a callback;
   * the returned array goes back to {@link #restoreMdcEntries}.
   *
   * @return what the MDC held before; never null
   */
  public final @Nullable String[] putMdcEntries() {
    @Nullable String[] saved = new String[SLOTS];
    putMdc(saved);
    return saved;
  }

  /**
   * Restores what {@link #putMdcEntries} replaced.
   *
   * @param saved its result; not null
   */
  public final void restoreMdcEntries(@Nullable String[] saved) {
    restoreMdc(saved);
  }
}

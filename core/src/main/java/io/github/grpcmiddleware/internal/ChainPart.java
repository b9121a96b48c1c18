package io.github.grpcmiddleware.internal;

/**
 * Implemented by the library's own server parts so that the chain builder can tell, when it is
 * built, a part put in the wrong slot.
 *
 * <p>This class is internal and is hence not for public use. Its APIs are unstable and can change
 * at any time.
 */
public interface ChainPart {

  /**
   * Returns the name of the chain builder's slot this part belongs in: {@code tracing}, {@code
   * observability}, {@code locale}, {@code errorMapping}, {@code auth}, {@code limits} or {@code
   * validation}.
   *
   * @return the slot's name; never null
   */
  String chainSlot();
}

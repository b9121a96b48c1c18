package io.github.grpcmiddleware.examples;

/** Placeholder until the example server lands; prints a note and exits. */
public final class ExampleServer {
  private ExampleServer() {}

  /**
   * Prints a note.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.println("example server: not yet");
  }
}

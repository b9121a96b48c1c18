package io.github.grpcmiddleware.validation;

/** Checks, once per build, that the protobuf-java runtime can run protovalidate's classes. */
final class ProtobufRuntime {

  /** The generated code of protovalidate 1.3.0 asks for this runtime or newer. */
  static final String REQUIRED = "4.36.0";

  private ProtobufRuntime() {}

  /**
   * Throws an IllegalStateException naming the runtime found and the one needed when
   * protovalidate's generated code cannot initialize (a 3.x runtime lacks {@code RuntimeVersion};
   * an older 4.x one rejects the gencode).
   */
  static void check() {
    check("build.buf.validate.ValidateProto");
  }

  static void check(String protovalidateClass) {
    try {
      Class.forName(protovalidateClass, true, ProtobufRuntime.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
      throw new IllegalStateException(
          "protobuf-java: "
              + version()
              + " (expected: "
              + REQUIRED
              + " or newer for protovalidate; pin com.google.protobuf:protobuf-java 4.x, see"
              + " docs/validation.md)",
          e);
    }
  }

  /** The runtime's version, read reflectively ({@code RuntimeVersion}'s fields are constants). */
  static String version() {
    try {
      Class<?> runtime =
          Class.forName(
              "com.google.protobuf.RuntimeVersion", false, ProtobufRuntime.class.getClassLoader());
      return runtime.getField("MAJOR").get(null)
          + "."
          + runtime.getField("MINOR").get(null)
          + "."
          + runtime.getField("PATCH").get(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      return "3.x or older (no com.google.protobuf.RuntimeVersion)";
    }
  }
}

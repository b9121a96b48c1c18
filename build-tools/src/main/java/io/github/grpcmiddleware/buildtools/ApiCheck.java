package io.github.grpcmiddleware.buildtools;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a module's public API ({@link ApiSignatures}) with its committed signature file and
 * fails with the difference, or rewrites the file when asked ({@code -Dapi.update=true}). Run by
 * exec-maven-plugin's {@code java} goal in {@code verify}, with the module's compile class path.
 *
 * <p>Arguments, {@code key=value}: {@code module} (the artifactId), {@code packaging} (a {@code
 * pom} has no API), {@code classes} (the classes directory), {@code apiFile}, {@code update}.
 */
public final class ApiCheck {
  static final String UPDATE_HINT =
      "if the change is intended, regenerate the file and commit it with the change:"
          + " ./mvnw -B -pl :<module> -am verify -DskipTests -Dapi.update=true";

  private ApiCheck() {}

  /**
   * Runs the check.
   *
   * @param args {@code key=value} pairs, as in the class description
   * @throws IOException when a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> options = Options.parse(args);
    String module = Options.required(options, "module");
    if (Options.required(options, "packaging").equals("pom")) {
      System.out.println("api: " + module + " is a POM, no classes to check");
      return;
    }
    Path classes = Path.of(Options.required(options, "classes"));
    Path apiFile = Path.of(Options.required(options, "apiFile"));
    boolean update = Boolean.parseBoolean(options.getOrDefault("update", "false"));
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    List<String> actual = ApiSignatures.of(classes, loader);
    System.out.println(check(module, actual, apiFile, update));
  }

  /**
   * Returns what was done; throws {@link IllegalStateException} with a readable diff when the file
   * and the classes disagree and {@code update} is false.
   */
  static String check(String module, List<String> actual, Path apiFile, boolean update)
      throws IOException {
    if (update) {
      List<String> content = new ArrayList<>();
      content.add("# The public API of " + module + ", checked in verify (docs/api.md).");
      content.add(
          "# Regenerate: ./mvnw -B -pl :" + module + " -am verify -DskipTests -Dapi.update=true");
      content.addAll(actual);
      Files.createDirectories(PomFile.directory(apiFile));
      Files.write(apiFile, content, UTF_8);
      return "api: wrote " + actual.size() + " lines to " + apiFile;
    }
    if (!Files.exists(apiFile)) {
      throw new IllegalStateException(
          "api: "
              + module
              + " has no signature file "
              + apiFile
              + " ("
              + actual.size()
              + " public types and members); "
              + UPDATE_HINT.replace("<module>", module));
    }
    List<String> committed = read(apiFile);
    String diff = diff(committed, actual);
    if (diff.isEmpty() && !committed.equals(actual)) {
      throw new IllegalStateException(
          "api: "
              + apiFile
              + " has the right lines, but not sorted or some twice; "
              + UPDATE_HINT.replace("<module>", module));
    }
    if (diff.isEmpty()) {
      return "api: " + module + " matches " + apiFile + " (" + actual.size() + " lines)";
    }
    throw new IllegalStateException(
        "api: the public API of "
            + module
            + " differs from "
            + apiFile
            + " (- only in the file, + only in the classes):\n"
            + diff
            + UPDATE_HINT.replace("<module>", module));
  }

  static List<String> read(Path apiFile) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(apiFile, UTF_8)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** The lines only one side has, in order, each once; empty when they agree. */
  static String diff(List<String> expected, List<String> actual) {
    TreeSet<String> removed = new TreeSet<>(expected);
    removed.removeAll(actual);
    TreeSet<String> added = new TreeSet<>(actual);
    added.removeAll(expected);
    TreeSet<String> all = new TreeSet<>(removed);
    all.addAll(added);
    StringBuilder diff = new StringBuilder();
    for (String line : all) {
      diff.append(removed.contains(line) ? "  - " : "  + ").append(line).append('\n');
    }
    return diff.toString();
  }
}

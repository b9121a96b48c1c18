package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every region marked {@code // [START name]} ... {@code // [END name]} in the project's Java
 * sources appears verbatim (dedented) in README.md, so the README's code is code that compiles and
 * whose tests pass.
 */
class ReadmeSnippetsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern START = Pattern.compile("^\\s*// \\[START (\\w+)]$");

  @Test
  void everyMarkedRegionIsInTheReadme() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    List<String> missing = new ArrayList<>();
    int found = 0;
    for (Path source : javaSources()) {
      List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Matcher start = START.matcher(lines.get(i));
        if (!start.matches()) {
          continue;
        }
        String name = start.group(1);
        int end = indexOfEnd(lines, i, name);
        assertThat(end).as("[END %s] in %s", name, source).isPositive();
        found++;
        if (!readme.contains(dedented(lines.subList(i + 1, end)))) {
          missing.add(name + " (" + ROOT.relativize(source) + ")");
        }
      }
    }
    assertThat(found).as("marked regions found").isGreaterThan(0);
    assertThat(missing).as("regions not shown verbatim in README.md").isEmpty();
  }

  private static int indexOfEnd(List<String> lines, int from, String name) {
    for (int j = from + 1; j < lines.size(); j++) {
      if (lines.get(j).trim().equals("// [END " + name + "]")) {
        return j;
      }
    }
    return -1;
  }

  private static String dedented(List<String> region) {
    int indent =
        region.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return region.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent))
        .collect(Collectors.joining("\n"));
  }

  private static List<Path> javaSources() throws IOException {
    try (Stream<Path> paths = Files.walk(ROOT)) {
      return paths
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/"))
          .filter(
              p -> !p.toString().contains("/target/") && !p.toString().contains("/node_modules/"))
          .sorted()
          .collect(Collectors.toList());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}

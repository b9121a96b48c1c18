package io.github.grpcmiddleware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The code in README.md and docs/*.md is code that compiles and whose tests pass, in both
 * directions: every region marked {@code // [START name]} ... {@code // [END name]} in a Java
 * source (or {@code <!-- [START name] -->} in examples/standalone/pom.xml and examples/pom.xml)
 * appears verbatim (dedented) as a code block of some page, and every {@code java} or {@code xml}
 * code block of a page is exactly one of those regions.
 */
class DocsSnippetsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern JAVA_START = Pattern.compile("^\\s*// \\[START ([\\w-]+)]$");
  private static final Pattern XML_START = Pattern.compile("^\\s*<!-- \\[START ([\\w-]+)] -->$");
  // An info string may have a hyphen (java-sketch: a sketch that is not compiled, on purpose).
  private static final Pattern FENCE = Pattern.compile("^```([\\w-]*)\\s*$");

  @Test
  void everyMarkedRegionIsACodeBlockOfTheDocs() throws IOException {
    Map<String, String> regions = regions();
    List<String> blocks = new ArrayList<>();
    for (Path page : pages()) {
      blocks.addAll(codeBlocks(page, "java"));
      blocks.addAll(codeBlocks(page, "xml"));
    }
    List<String> missing =
        regions.entrySet().stream()
            .filter(region -> !blocks.contains(region.getValue()))
            .map(Map.Entry::getKey)
            .collect(Collectors.toList());
    assertThat(regions).as("marked regions found").hasSizeGreaterThan(10);
    assertThat(missing).as("regions not shown verbatim in README.md or docs/*.md").isEmpty();
  }

  @Test
  void everyJavaAndXmlBlockOfTheDocsIsAMarkedRegion() throws IOException {
    Map<String, String> regions = regions();
    List<String> strays = new ArrayList<>();
    for (Path page : pages()) {
      for (String language : List.of("java", "xml")) {
        for (String block : codeBlocks(page, language)) {
          if (!regions.containsValue(block)) {
            strays.add(ROOT.relativize(page) + ":\n" + block);
          }
        }
      }
    }
    assertThat(strays).as("code blocks that are no marked region of a compiled source").isEmpty();
  }

  @Test
  void theStandaloneProjectUsesTheVersionThisBuildMakes() throws IOException {
    String parent = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher version =
        Pattern.compile("<artifactId>grpc-middleware-parent</artifactId>\\s*<version>([^<]+)<")
            .matcher(parent);
    assertThat(version.find()).isTrue();
    String standalone =
        Files.readString(ROOT.resolve("examples/standalone/pom.xml"), StandardCharsets.UTF_8);
    assertThat(standalone)
        .contains("<grpc-middleware.version>" + version.group(1) + "</grpc-middleware.version>");
  }

  /** README.md and every page under docs/. */
  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /** The fenced code blocks of {@code page} in {@code language}, each without its fences. */
  private static List<String> codeBlocks(Path page, String language) throws IOException {
    List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
    List<String> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher fence = FENCE.matcher(lines.get(i));
      if (!fence.matches()) {
        continue;
      }
      int end = i + 1;
      while (end < lines.size() && !lines.get(end).startsWith("```")) {
        end++;
      }
      if (fence.group(1).equals(language)) {
        blocks.add(String.join("\n", lines.subList(i + 1, end)));
      }
      i = end;
    }
    return blocks;
  }

  /** Every marked region by name, dedented. */
  private static Map<String, String> regions() throws IOException {
    Map<String, String> regions = new LinkedHashMap<>();
    List<Path> sources = new ArrayList<>(javaSources());
    sources.add(ROOT.resolve("examples/standalone/pom.xml"));
    sources.add(ROOT.resolve("examples/pom.xml"));
    for (Path source : sources) {
      Pattern start = source.toString().endsWith(".xml") ? XML_START : JAVA_START;
      List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Matcher marker = start.matcher(lines.get(i));
        if (!marker.matches()) {
          continue;
        }
        String name = marker.group(1);
        int end = indexOfEnd(lines, i, name);
        assertThat(end).as("[END %s] in %s", name, source).isPositive();
        String previous = regions.put(name, dedented(lines.subList(i + 1, end)));
        assertThat(previous).as("region %s marked twice (again in %s)", name, source).isNull();
      }
    }
    return regions;
  }

  private static int indexOfEnd(List<String> lines, int from, String name) {
    for (int j = from + 1; j < lines.size(); j++) {
      String line = lines.get(j).trim();
      if (line.equals("// [END " + name + "]") || line.equals("<!-- [END " + name + "] -->")) {
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
    // Blank lines around the region (before its END marker, say) are not part of the snippet.
    return region.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent))
        .collect(Collectors.joining("\n"))
        .strip();
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

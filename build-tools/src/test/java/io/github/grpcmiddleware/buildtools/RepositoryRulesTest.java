package io.github.grpcmiddleware.buildtools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Rules of the repository's committed sources and docs that no compiler checks. */
class RepositoryRulesTest {
  static final String INTERNAL_TYPE =
      "This class is internal and is hence not for public use. Its APIs are unstable and can change"
          + " at any time.";
  static final String INTERNAL_PACKAGE =
      "This package is internal and is hence not for public use. Its APIs are unstable and can"
          + " change at any time.";

  /** Javadoc text with its line breaks and leading stars taken out. */
  static String prose(String source) {
    return source.replaceAll("\\s*\\n\\s*\\*?\\s*", " ");
  }

  @Test
  void everyTypeOfAnInternalPackageCarriesTheOneMarker() throws Exception {
    List<Path> sources = Repository.files("*/src/main/java/**/internal/*.java");
    assertThat(sources).as("internal sources").hasSizeGreaterThan(10);
    List<String> unmarked = new ArrayList<>();
    for (Path source : sources) {
      String text = prose(Files.readString(source, UTF_8));
      boolean packageInfo = source.getFileName().toString().equals("package-info.java");
      if (!text.contains(packageInfo ? INTERNAL_PACKAGE : INTERNAL_TYPE)) {
        unmarked.add(Repository.ROOT.relativize(source).toString());
      }
    }
    assertThat(unmarked).as("internal sources without the sentence").isEmpty();
  }

  @Test
  void noSourceUsesTheOldInternalMarker() throws Exception {
    List<String> old = new ArrayList<>();
    for (Path source : Repository.files("**/src/main/java/**/*.java")) {
      if (prose(Files.readString(source, UTF_8)).contains("may change without notice")) {
        old.add(Repository.ROOT.relativize(source).toString());
      }
    }
    assertThat(old).as("sources with \"may change without notice\"").isEmpty();
  }

  /**
   * A header the library reads or writes by name has one {@code Metadata.Key}, in core's {@code
   * internal.HeaderKeys}: no runtime module defines its own from a literal. The testing module does
   * not depend on core and keeps its own.
   */
  @Test
  void everyHeaderKeyIsDefinedOnceInHeaderKeys() throws Exception {
    Pattern literalKey = Pattern.compile("Metadata\\.Key\\.of\\(\\s*\"");
    List<Path> sources = new ArrayList<>();
    for (String module : List.of("core", "i18n", "otel", "validation", "bucket4j")) {
      sources.addAll(Repository.files(module + "/src/main/java/**/*.java"));
    }
    Path keys =
        Repository.ROOT.resolve(
            "core/src/main/java/io/github/grpcmiddleware/internal/HeaderKeys.java");
    assertThat(sources).as("runtime sources").contains(keys);
    assertThat(literalKey.matcher(Files.readString(keys, UTF_8)).find())
        .as("HeaderKeys defines keys from literals (the check can see them)")
        .isTrue();
    List<String> own = new ArrayList<>();
    for (Path source : sources) {
      if (!source.equals(keys) && literalKey.matcher(Files.readString(source, UTF_8)).find()) {
        own.add(Repository.ROOT.relativize(source).toString());
      }
    }
    assertThat(own)
        .as("sources defining a header key of their own (use internal.HeaderKeys)")
        .isEmpty();
  }

  @Test
  void theDocsNameOnlyMarkdownFilesTheRepositoryHas() throws Exception {
    Set<String> present = new HashSet<>();
    for (String glob : List.of("*.md", "**/*.md")) {
      for (Path file : Repository.files(glob)) {
        present.add(file.getFileName().toString());
      }
    }
    List<Path> pages = new ArrayList<>(Repository.files("docs/*.md"));
    pages.addAll(Repository.files("*.md"));
    Pattern mention = Pattern.compile("\\b([A-Za-z][\\w-]*\\.md)\\b");
    List<String> absent = new ArrayList<>();
    for (Path page : pages) {
      // A file of another project, named by its address, is not ours to have.
      String text = Files.readString(page, UTF_8).replaceAll("https?://\\S+", "");
      Matcher matcher = mention.matcher(text);
      while (matcher.find()) {
        if (!present.contains(matcher.group(1))) {
          absent.add(Repository.ROOT.relativize(page) + " names " + matcher.group(1));
        }
      }
    }
    assertThat(absent).as("docs naming files not in the repository").isEmpty();
  }

  /**
   * Every {@code Type.member(} the docs and the example resources write, for one of our public
   * types, names a member the signature files have: a renamed factory ({@code Auth.builder()})
   * cannot linger in a comment or a page.
   */
  @Test
  void theDocsAndExampleResourcesCallOnlyMembersThatExist() throws Exception {
    Map<String, Set<String>> members = new HashMap<>();
    for (Path file : Repository.files("*/api/*.api")) {
      for (String line : ApiCheck.read(file)) {
        String name = line.substring(0, line.indexOf(' '));
        int hash = name.indexOf('#');
        String type = hash < 0 ? name : name.substring(0, hash);
        String simple = type.substring(type.lastIndexOf('.') + 1);
        Set<String> of = members.computeIfAbsent(simple, key -> new HashSet<>());
        if (hash >= 0) {
          String member = name.substring(hash + 1);
          int paren = member.indexOf('(');
          of.add(paren < 0 ? member : member.substring(0, paren));
        }
      }
    }
    List<Path> texts = new ArrayList<>(Repository.files("docs/*.md"));
    // api.md names the members phase B proposes, on purpose.
    texts.remove(Repository.ROOT.resolve("docs/api.md"));
    texts.add(Repository.ROOT.resolve("README.md"));
    texts.addAll(Repository.files("examples/**/src/main/resources/**"));
    Pattern call = Pattern.compile("\\b([A-Z]\\w*)\\.([a-z]\\w*)\\(");
    List<String> unknown = new ArrayList<>();
    for (Path text : texts) {
      Matcher matcher = call.matcher(Files.readString(text, UTF_8));
      while (matcher.find()) {
        Set<String> of = members.get(matcher.group(1));
        if (of != null && !of.contains(matcher.group(2))) {
          unknown.add(Repository.ROOT.relativize(text) + ": " + matcher.group() + ")");
        }
      }
    }
    assertThat(members).as("public types").hasSizeGreaterThan(50);
    assertThat(unknown).as("calls of members our public types do not have").isEmpty();
  }
}

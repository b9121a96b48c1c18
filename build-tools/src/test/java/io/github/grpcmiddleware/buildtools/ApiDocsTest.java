package io.github.grpcmiddleware.buildtools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md cannot drift from the code: its table has one row per public type of the committed
 * signature files (which verify checks against the classes), and its count line is theirs.
 */
class ApiDocsTest {
  private static final String PREFIX = "io.github.grpcmiddleware.";
  private static final Pattern ROW =
      Pattern.compile("^\\| `([\\w.]+)` \\| (\\w+) \\| (\\w+) \\| (.+) \\|$");
  private static final Set<String> ROLES = Set.of("entry", "builder", "value", "extension");

  /** Type (relative to the prefix) to module, from every {@code <module>/api/*.api}. */
  static Map<String, String> publicTypes() throws Exception {
    Map<String, String> types = new TreeMap<>();
    for (Path file : Repository.files("*/api/*.api")) {
      String module = Repository.ROOT.relativize(file).getName(0).toString();
      for (String line : ApiCheck.read(file)) {
        String name = line.substring(0, line.indexOf(' '));
        if (!name.contains("#")) {
          types.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, module);
        }
      }
    }
    return types;
  }

  private static String section(String marker) throws Exception {
    String page = Files.readString(Repository.ROOT.resolve("docs/api.md"), UTF_8);
    int start = page.indexOf("<!-- " + marker + ":start -->");
    int end = page.indexOf("<!-- " + marker + ":end -->");
    assertThat(start).as("docs/api.md has the %s markers", marker).isNotNegative();
    assertThat(end).as("docs/api.md has the %s markers", marker).isGreaterThan(start);
    return page.substring(start, end);
  }

  @Test
  void theTableHasOneRowPerPublicTypeWithItsModuleAndARole() throws Exception {
    Map<String, String> types = publicTypes();
    assertThat(types).as("public types in the signature files").hasSizeGreaterThan(50);
    Map<String, String> rows = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (String line : section("api-table").split("\n", -1)) {
      Matcher row = ROW.matcher(line);
      if (!row.matches()) {
        continue;
      }
      if (rows.put(row.group(1), row.group(2)) != null) {
        problems.add("twice: " + row.group(1));
      }
      if (!ROLES.contains(row.group(3))) {
        problems.add(row.group(1) + ": role " + row.group(3) + " (expected one of " + ROLES + ")");
      }
    }
    for (Map.Entry<String, String> type : types.entrySet()) {
      if (!type.getValue().equals(rows.get(type.getKey()))) {
        problems.add(
            "missing or in the wrong module, add: | `"
                + type.getKey()
                + "` | "
                + type.getValue()
                + " | <role> | - |");
      }
    }
    for (String row : rows.keySet()) {
      if (!types.containsKey(row)) {
        problems.add("not a public type (any more): " + row);
      }
    }
    assertThat(problems).as("docs/api.md against the api/*.api files").isEmpty();
  }

  @Test
  void theCountLineIsTheSignatureFilesCount() throws Exception {
    Map<String, Integer> topLevel = new TreeMap<>();
    Set<String> modules = new TreeSet<>(publicTypes().values());
    for (String module : modules) {
      topLevel.put(module, 0);
    }
    int total = 0;
    for (Map.Entry<String, String> type : publicTypes().entrySet()) {
      String simple = type.getKey().substring(type.getKey().indexOf('.') + 1);
      if (!simple.contains(".")) {
        topLevel.merge(type.getValue(), 1, Integer::sum);
        total++;
      }
    }
    List<String> parts = new ArrayList<>();
    topLevel.forEach((module, count) -> parts.add(module + " " + count));
    String expected =
        "Public top-level types (nested public types not counted): "
            + String.join(", ", parts)
            + "; "
            + total
            + " in all.";

    assertThat(section("api-counts")).contains(expected);
  }

  /**
   * The one shape (docs/api.md): a builder is a top-level {@code XBuilder}, never a nested {@code
   * Builder}; and a public type extends or implements only types a user can see, so its methods are
   * its own or those of a public type.
   */
  @Test
  void buildersAreTopLevelAndNoPublicTypeExtendsAHiddenOne() throws Exception {
    Map<String, String> types = publicTypes();
    Pattern ours = Pattern.compile("io\\.github\\.grpcmiddleware\\.[\\w.]+");
    List<String> problems = new ArrayList<>();
    for (Path file : Repository.files("*/api/*.api")) {
      for (String line : ApiCheck.read(file)) {
        String name = line.substring(0, line.indexOf(' '));
        if (name.contains("#")) {
          continue;
        }
        String relative = name.substring(PREFIX.length());
        String simple = relative.substring(relative.indexOf('.') + 1);
        if (simple.contains(".") && simple.endsWith("Builder")) {
          problems.add(
              relative
                  + ": a nested builder (expected: a top-level "
                  + simple.replace(".", "")
                  + ")");
        }
        int extendsAt = line.indexOf(" extends ");
        int supertypes = extendsAt >= 0 ? extendsAt : line.indexOf(" implements ");
        if (supertypes < 0) {
          continue;
        }
        Matcher matcher = ours.matcher(line.substring(supertypes));
        while (matcher.find()) {
          String supertype = matcher.group().substring(PREFIX.length());
          if (!types.containsKey(supertype)) {
            problems.add(
                relative + " extends or implements " + supertype + ", which is not public");
          }
        }
      }
    }
    assertThat(types).as("public types").isNotEmpty();
    assertThat(problems).as("types off the one shape").isEmpty();
  }
}

package io.github.grpcmiddleware.buildtools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiCheckTest {
  private static final List<String> API =
      List.of("a.B  public final class", "a.B#go(int)  public void", "a.B#stop()  public void");

  @TempDir Path dir;

  @Test
  void passesWhenTheFileHoldsTheSameLines() throws Exception {
    Path file = dir.resolve("m.api");
    ApiCheck.check("m", API, file, true);

    assertThat(ApiCheck.check("m", API, file, false))
        .isEqualTo("api: m matches " + file + " (3 lines)");
  }

  @Test
  void updateWritesACommentedHeaderAndTheSortedLines() throws Exception {
    Path file = dir.resolve("api/m.api");

    assertThat(ApiCheck.check("m", API, file, true)).isEqualTo("api: wrote 3 lines to " + file);
    assertThat(Files.readAllLines(file, UTF_8))
        .startsWith("# The public API of m, checked in verify (docs/api.md).")
        .contains("# Regenerate: ./mvnw -B -pl :m -am verify -DskipTests -Dapi.update=true")
        .endsWith(API.toArray(String[]::new));
  }

  @Test
  void aChangedMemberFailsWithTheDiffAndTheCommandThatAcceptsIt() throws Exception {
    Path file = dir.resolve("m.api");
    ApiCheck.check("m", API, file, true);
    List<String> changed =
        List.of("a.B  public final class", "a.B#go(long)  public void", "a.B#stop()  public void");

    assertThatThrownBy(() -> ApiCheck.check("m", changed, file, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "api: the public API of m differs from "
                + file
                + " (- only in the file, + only in the classes):\n"
                + "  - a.B#go(int)  public void\n"
                + "  + a.B#go(long)  public void\n"
                + "if the change is intended, regenerate the file and commit it with the change:"
                + " ./mvnw -B -pl :m -am verify -DskipTests -Dapi.update=true");
  }

  @Test
  void aMissingFileFailsNamingTheCommandThatCreatesIt() {
    Path file = dir.resolve("none.api");

    assertThatThrownBy(() -> ApiCheck.check("m", API, file, false))
        .hasMessageStartingWith("api: m has no signature file " + file + " (3 public types")
        .hasMessageEndingWith("./mvnw -B -pl :m -am verify -DskipTests -Dapi.update=true");
  }

  @Test
  void aHandEditedFileOutOfOrderFails() throws Exception {
    Path file = dir.resolve("m.api");
    Files.write(file, List.of(API.get(2), API.get(0), API.get(1)), UTF_8);

    assertThatThrownBy(() -> ApiCheck.check("m", API, file, false))
        .hasMessageContaining("has the right lines, but not sorted or some twice");
  }
}

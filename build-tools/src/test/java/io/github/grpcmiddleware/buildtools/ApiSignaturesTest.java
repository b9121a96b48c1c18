package io.github.grpcmiddleware.buildtools;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.buildtools.fixture.Api;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiSignaturesTest {
  private static final String P = "io.github.grpcmiddleware.buildtools.fixture.";
  private static List<String> lines;

  @BeforeAll
  static void readFixtures() throws Exception {
    Path classes = Path.of(Api.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    lines =
        ApiSignatures.of(classes, ApiSignaturesTest.class.getClassLoader()).stream()
            .filter(line -> line.startsWith(P))
            .toList();
  }

  @Test
  void listsEveryReachableTypeAndMemberOncePerLineSorted() {
    assertThat(lines)
        .containsExactly(
            P + "Api  public final class",
            P + "Api#KEY  public static final java.lang.String",
            P + "Api#count(int[], java.lang.String...)  public static int",
            P
                + "Api#find(@Nullable java.lang.String)  public static @Nullable java.lang.String"
                + " throws java.lang.Exception",
            P
                + "Api#max(java.util.List<? extends T>)  public static"
                + " <T extends java.lang.Comparable<T>> T",
            P + "Api.Options  public static final class",
            P + "Api.Options#later()  public java.lang.Runnable",
            P
                + "Extensible  public abstract class implements java.lang.Comparable<"
                + P
                + "Extensible>",
            P + "Extensible#<init>()  protected",
            P + "Extensible#compareTo(" + P + "Extensible)  public int",
            P + "Extensible#onEvent(java.lang.String)  protected abstract void",
            P + "Extensible.Kind  public enum",
            P + "Extensible.Kind#ONE  public static final " + P + "Extensible.Kind",
            P + "Extensible.Kind#TWO  public static final " + P + "Extensible.Kind",
            P + "Extensible.Kind#valueOf(java.lang.String)  public static " + P + "Extensible.Kind",
            P + "Extensible.Kind#values()  public static " + P + "Extensible.Kind[]",
            P + "Listener  public interface",
            P + "Listener#onClose()  public default void",
            P
                + "Listener#onEvent(java.lang.String)  public abstract void throws java.lang.Exception",
            P
                + "PublicBuilder  public final class extends "
                + P
                + "HiddenBase<"
                + P
                + "PublicBuilder>",
            P + "PublicBuilder#level(int)  public " + P + "PublicBuilder",
            P + "PublicBuilder#name(java.lang.String)  public " + P + "PublicBuilder");
  }

  @Test
  void leavesOutInternalPackagesPackagePrivateTypesAndPrivateNestedOnes() {
    assertThat(lines)
        .noneMatch(line -> line.contains(".internal."))
        .noneMatch(line -> line.contains("Helper"))
        .noneMatch(line -> line.contains("Secret"))
        .noneMatch(line -> line.contains("$1"));
  }

  @Test
  void protectedMembersOfAFinalClassAreNotApi() {
    assertThat(lines).noneMatch(line -> line.contains("PublicBuilder#hook"));
  }

  @Test
  void internalMeansAPackageSegmentNotAPrefix() {
    assertThat(ApiSignatures.isInternal("io.github.grpcmiddleware.internal")).isTrue();
    assertThat(ApiSignatures.isInternal("io.github.grpcmiddleware.otel.internal.spans")).isTrue();
    assertThat(ApiSignatures.isInternal("io.github.grpcmiddleware.internalized")).isFalse();
  }
}

package io.github.grpcmiddleware.buildtools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseCheckTest {
  private static final String ATTACHED =
      "[g:core:java-source:sources:1.0-SNAPSHOT, g:core:javadoc:javadoc:1.0-SNAPSHOT,"
          + " g:core:test-jar:tests:1.0-SNAPSHOT]";

  @TempDir Path root;
  Path target;

  @BeforeEach
  void project() throws Exception {
    write(
        root.resolve("pom.xml"),
        parent(METADATA, " child.project.url.inherit.append.path=\"false\""));
    write(root.resolve("core/pom.xml"), child("<name>core</name><description>d</description>"));
    target = Files.createDirectories(root.resolve("core/target"));
    jar(target.resolve("core-1.0-SNAPSHOT.jar"), "a/B.class", true);
    jar(target.resolve("core-1.0-SNAPSHOT-sources.jar"), "a/B.java", false);
    jar(target.resolve("core-1.0-SNAPSHOT-javadoc.jar"), "index.html", false);
    jar(target.resolve("core-1.0-SNAPSHOT-tests.jar"), "a/BTest.class", false);
  }

  @Test
  void aCompleteModuleHasNoProblemsAndIsStagedWithChecksums() throws Exception {
    List<String> problems = new ArrayList<>();
    PomFile pom = PomFile.read(root.resolve("core/pom.xml"));

    List<ReleaseCheck.BundleFile> files = files(pom, ATTACHED, problems);
    problems.addAll(ReleaseCheck.pomProblems(pom));
    Path staged = ReleaseCheck.stage(pom, files, root.resolve("target/bundle"));

    assertThat(problems).isEmpty();
    assertThat(staged).isEqualTo(root.resolve("target/bundle/g/core/1.0-SNAPSHOT"));
    try (var listing = Files.list(staged)) {
      assertThat(listing.map(path -> path.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "core-1.0-SNAPSHOT.pom",
              "core-1.0-SNAPSHOT.pom.md5",
              "core-1.0-SNAPSHOT.pom.sha1",
              "core-1.0-SNAPSHOT.jar",
              "core-1.0-SNAPSHOT.jar.md5",
              "core-1.0-SNAPSHOT.jar.sha1",
              "core-1.0-SNAPSHOT-sources.jar",
              "core-1.0-SNAPSHOT-sources.jar.md5",
              "core-1.0-SNAPSHOT-sources.jar.sha1",
              "core-1.0-SNAPSHOT-javadoc.jar",
              "core-1.0-SNAPSHOT-javadoc.jar.md5",
              "core-1.0-SNAPSHOT-javadoc.jar.sha1",
              "core-1.0-SNAPSHOT-tests.jar",
              "core-1.0-SNAPSHOT-tests.jar.md5",
              "core-1.0-SNAPSHOT-tests.jar.sha1");
    }
    Files.writeString(root.resolve("abc"), "abc");
    assertThat(ReleaseCheck.digest("SHA-1", root.resolve("abc")))
        .isEqualTo("a9993e364706816aba3e25717850c26c9cd0d89d");
  }

  @Test
  void everyMissingPomElementIsNamedWithWhereItBelongs() throws Exception {
    write(root.resolve("pom.xml"), parent("", ""));
    write(root.resolve("core/pom.xml"), child(""));

    assertThat(ReleaseCheck.pomProblems(PomFile.read(root.resolve("core/pom.xml"))))
        .containsExactly(
            "name: missing (expected: <name> in this POM; Maven does not inherit it)",
            "description: missing (expected: <description> in this POM, saying what this artifact"
                + " is; an inherited one describes the parent)",
            "url: missing (expected: <url> of the project's page, here or in the parent)",
            "licenses: missing (expected: <licenses><license> with <name> and <url>, here or in"
                + " the parent)",
            "developers: missing (expected: <developers><developer> with <name>, here or in the"
                + " parent)",
            "scm/url: missing (expected: <scm><url>, here or in the parent)",
            "scm/connection: missing (expected: <scm><connection>, here or in the parent)",
            "scm/developerConnection: missing (expected: <scm><developerConnection>, here or in"
                + " the parent)",
            "release profile: none with maven-gpg-plugin and central-publishing-maven-plugin in"
                + " this POM or its parents (expected: the parent's <profile> with"
                + " <id>release</id>; a POM without the parent, like the BOM, declares its own)");
  }

  @Test
  void oneRemovedElementIsEnough() throws Exception {
    write(
        root.resolve("pom.xml"),
        parent(
            METADATA.replace("<developerConnection>scm:git:x</developerConnection>", ""),
            " child.project.url.inherit.append.path=\"false\""));

    assertThat(ReleaseCheck.pomProblems(PomFile.read(root.resolve("core/pom.xml"))))
        .containsExactly(
            "scm/developerConnection: missing (expected: <scm><developerConnection>, here or in"
                + " the parent)");
  }

  @Test
  void anInheritedUrlThatMavenWouldExtendByTheArtifactIdIsAProblem() throws Exception {
    write(root.resolve("pom.xml"), parent(METADATA, ""));

    assertThat(ReleaseCheck.pomProblems(PomFile.read(root.resolve("core/pom.xml"))))
        .containsExactly(
            "url: inherited from parent with the artifactId appended (https://example.org/p/core,"
                + " a page that does not exist) (expected:"
                + " child.project.url.inherit.append.path=\"false\" on the parent's <project>)");
  }

  @Test
  void aParentThatIsNotDeployedCannotBeInTheBundle() throws Exception {
    write(
        root.resolve("pom.xml"),
        parent(
            METADATA + "<properties><maven.deploy.skip>true</maven.deploy.skip></properties>",
            " child.project.url.inherit.append.path=\"false\""));

    assertThat(ReleaseCheck.pomProblems(PomFile.read(root.resolve("core/pom.xml"))))
        .containsExactly(
            "parent: parent is not deployed (maven.deploy.skip), but Central needs every parent"
                + " POM");
  }

  @Test
  void aSkippedJavadocIsMissingEvenWhenAnOldJarIsStillInTarget() throws Exception {
    List<String> problems = new ArrayList<>();

    files(
        PomFile.read(root.resolve("core/pom.xml")),
        "[g:core:java-source:sources:1.0-SNAPSHOT]",
        problems);

    assertThat(problems)
        .containsExactly(
            "javadoc jar: not attached in this build (expected: maven-javadoc-plugin's jar goal,"
                + " not skipped; attached: [sources])");
  }

  @Test
  void anEmptyJavadocJarAndAJarWithoutModuleNameAreProblems() throws Exception {
    jar(target.resolve("core-1.0-SNAPSHOT-javadoc.jar"), "META-INF/x", false);
    jar(target.resolve("core-1.0-SNAPSHOT.jar"), "a/B.class", false);
    List<String> problems = new ArrayList<>();

    files(PomFile.read(root.resolve("core/pom.xml")), ATTACHED, problems);

    assertThat(problems)
        .containsExactly(
            "jar: core-1.0-SNAPSHOT.jar has no Automatic-Module-Name",
            "javadoc jar: core-1.0-SNAPSHOT-javadoc.jar has no index.html entry");
  }

  @Test
  void aJarNotBuiltInThisBuildIsAProblem() throws Exception {
    List<String> problems = new ArrayList<>();

    ReleaseCheck.files(
        PomFile.read(root.resolve("core/pom.xml")),
        "jar",
        "${project.artifact.file}",
        ATTACHED,
        target,
        "core-1.0-SNAPSHOT",
        problems);

    assertThat(problems)
        .containsExactly(
            "jar: not built in this build (the project's file is '${project.artifact.file}')");
  }

  @Test
  void aPomNeedsOnlyItself() throws Exception {
    List<String> problems = new ArrayList<>();

    List<ReleaseCheck.BundleFile> files =
        ReleaseCheck.files(
            PomFile.read(root.resolve("pom.xml")), "pom", "", "[]", target, "x", problems);

    assertThat(problems).isEmpty();
    assertThat(files).extracting(ReleaseCheck.BundleFile::extension).containsExactly("pom");
  }

  @Test
  void attachedArtifactsAreReadAsMavenPrintsThem() {
    assertThat(ReleaseCheck.attachedClassifiers(ATTACHED))
        .containsEntry("sources", "jar")
        .containsEntry("javadoc", "jar")
        .containsEntry("tests", "jar")
        .hasSize(3);
    assertThat(ReleaseCheck.attachedClassifiers("[]")).isEmpty();
  }

  private List<ReleaseCheck.BundleFile> files(PomFile pom, String attached, List<String> problems)
      throws Exception {
    return ReleaseCheck.files(
        pom,
        "jar",
        target.resolve("core-1.0-SNAPSHOT.jar").toString(),
        attached,
        target,
        "core-1.0-SNAPSHOT",
        problems);
  }

  private static final String METADATA =
      "<url>https://example.org/p</url>"
          + "<licenses><license><name>Apache</name><url>https://example.org/l</url></license>"
          + "</licenses>"
          + "<developers><developer><name>Us</name></developer></developers>"
          + "<scm child.scm.url.inherit.append.path=\"false\""
          + " child.scm.connection.inherit.append.path=\"false\""
          + " child.scm.developerConnection.inherit.append.path=\"false\">"
          + "<url>https://example.org/p</url><connection>scm:git:x</connection>"
          + "<developerConnection>scm:git:x</developerConnection></scm>"
          + "<profiles><profile><id>release</id><build><plugins>"
          + "<plugin><artifactId>maven-gpg-plugin</artifactId></plugin>"
          + "<plugin><artifactId>central-publishing-maven-plugin</artifactId></plugin>"
          + "</plugins></build></profile></profiles>";

  private static String parent(String metadata, String projectAttributes) {
    return "<project"
        + projectAttributes
        + "><modelVersion>4.0.0</modelVersion><groupId>g</groupId><artifactId>parent</artifactId>"
        + "<version>1.0-SNAPSHOT</version><packaging>pom</packaging><name>p</name>"
        + "<description>d</description>"
        + metadata
        + "</project>";
  }

  private static String child(String own) {
    return "<project><modelVersion>4.0.0</modelVersion><parent><groupId>g</groupId>"
        + "<artifactId>parent</artifactId><version>1.0-SNAPSHOT</version></parent>"
        + "<artifactId>core</artifactId>"
        + own
        + "</project>";
  }

  private static void write(Path file, String text) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, UTF_8);
  }

  private static void jar(Path file, String entry, boolean moduleName) throws Exception {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (moduleName) {
      manifest.getMainAttributes().putValue("Automatic-Module-Name", "g.core");
    }
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.putNextEntry(new JarEntry(entry));
      jar.write(1);
      jar.closeEntry();
    }
  }
}

package io.github.grpcmiddleware.buildtools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Element;

/**
 * Stages one published module as Maven Central's bundle holds it (repository layout, MD5 and SHA-1
 * files; no signatures) and fails when a file or POM element that Central requires is missing. Run
 * by exec-maven-plugin's {@code java} goal in {@code verify} of every module that is deployed, so a
 * new module inherits the check with the parent.
 *
 * <p>POM elements are looked up as Central looks them up, through the {@code <parent>} chain of the
 * POMs as written (the parent is published too); {@code name} and {@code description} must be the
 * module's own. Files: the POM always; for a jar, the jar (with classes and an {@code
 * Automatic-Module-Name}), its sources jar (with {@code .java} files) and its Javadoc jar (with an
 * {@code index.html}), all attached to the project in this build, so a skipped plugin cannot hide
 * behind a stale file in {@code target/}.
 *
 * <p>Arguments, {@code key=value}: {@code pom}, {@code packaging}, {@code artifact} (the main
 * file), {@code attached} (Maven's list of attached artifacts), {@code buildDir}, {@code
 * finalName}, {@code bundle} (the staging directory), {@code root} (the reactor's root: its run
 * empties the staging directory first).
 */
public final class ReleaseCheck {
  static final String RELEASE_PROFILE_PLUGINS =
      "maven-gpg-plugin and central-publishing-maven-plugin";

  private ReleaseCheck() {}

  /** One file of the bundle: its classifier (null for the main one) and extension. */
  record BundleFile(@Nullable String classifier, String extension, Path source) {}

  /**
   * Runs the check.
   *
   * @param args {@code key=value} pairs, as in the class description
   * @throws IOException when a file cannot be read or staged
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> options = Options.parse(args);
    Path pom = Path.of(required(options, "pom"));
    Path bundle = Path.of(required(options, "bundle"));
    Path root = Path.of(required(options, "root"));
    if (Files.isSameFile(PomFile.directory(pom), root)) {
      deleteRecursively(bundle);
    }
    List<String> problems = new ArrayList<>();
    PomFile pomFile = PomFile.read(pom);
    problems.addAll(pomProblems(pomFile));
    List<BundleFile> files =
        files(
            pomFile,
            required(options, "packaging"),
            options.getOrDefault("artifact", ""),
            options.getOrDefault("attached", ""),
            Path.of(required(options, "buildDir")),
            required(options, "finalName"),
            problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(report(pomFile, problems));
    }
    Path staged = stage(pomFile, files, bundle);
    System.out.println(
        "release: "
            + pomFile.artifactId()
            + " ready for Maven Central: "
            + files.size()
            + " files (and checksums) in "
            + staged);
  }

  static String report(PomFile pom, List<String> problems) {
    StringBuilder report =
        new StringBuilder("release: ")
            .append(pom.artifactId())
            .append(" (")
            .append(pom.file)
            .append(") is not ready for Maven Central:\n");
    for (String problem : problems) {
      report.append("  - ").append(problem).append('\n');
    }
    return report.append("(what Central requires: docs/releasing.md)").toString();
  }

  /** What Central requires of the POM, looked up through the parent chain. */
  static List<String> pomProblems(PomFile pom) throws IOException {
    List<PomFile> chain = new ArrayList<>();
    for (PomFile current = pom; current != null; current = current.parent()) {
      chain.add(current);
    }
    List<String> problems = new ArrayList<>();
    if (pom.groupId() == null) {
      problems.add("groupId: missing (expected: <groupId> here or in <parent>)");
    }
    if (pom.version() == null) {
      problems.add("version: missing (expected: <version> here or in <parent>)");
    }
    if (pom.text("name") == null) {
      problems.add("name: missing (expected: <name> in this POM; Maven does not inherit it)");
    }
    if (pom.text("description") == null) {
      problems.add(
          "description: missing (expected: <description> in this POM, saying what this artifact"
              + " is; an inherited one describes the parent)");
    }
    PomFile urlOwner = owner(chain, "url");
    if (urlOwner == null) {
      problems.add("url: missing (expected: <url> of the project's page, here or in the parent)");
    } else if (urlOwner != pom
        && appends(urlOwner.project, "child.project.url.inherit.append.path")) {
      problems.add(
          "url: inherited from "
              + urlOwner.artifactId()
              + " with the artifactId appended ("
              + urlOwner.text("url")
              + "/"
              + pom.artifactId()
              + ", a page that does not exist) (expected:"
              + " child.project.url.inherit.append.path=\"false\" on the parent's <project>)");
    }
    PomFile licensesOwner = owner(chain, "licenses/license");
    if (licensesOwner == null) {
      problems.add(
          "licenses: missing (expected: <licenses><license> with <name> and <url>, here or in the"
              + " parent)");
    } else {
      for (Element license : PomFile.children(licensesOwner.element("licenses"), "license")) {
        if (PomFile.text(license, "name") == null || PomFile.text(license, "url") == null) {
          problems.add(
              "licenses: a <license> in " + licensesOwner.artifactId() + " lacks <name> or <url>");
        }
      }
    }
    PomFile developersOwner = owner(chain, "developers/developer");
    if (developersOwner == null) {
      problems.add(
          "developers: missing (expected: <developers><developer> with <name>, here or in the"
              + " parent)");
    } else {
      for (Element developer :
          PomFile.children(developersOwner.element("developers"), "developer")) {
        if (PomFile.text(developer, "name") == null) {
          problems.add(
              "developers: a <developer> in " + developersOwner.artifactId() + " lacks <name>");
        }
      }
    }
    for (String part : List.of("url", "connection", "developerConnection")) {
      PomFile scmOwner = owner(chain, "scm/" + part);
      if (scmOwner == null) {
        problems.add(
            "scm/" + part + ": missing (expected: <scm><" + part + ">, here or in the parent)");
      } else if (scmOwner != pom) {
        Element scm = scmOwner.element("scm");
        if (scm != null && appends(scm, "child.scm." + part + ".inherit.append.path")) {
          problems.add(
              "scm/"
                  + part
                  + ": inherited from "
                  + scmOwner.artifactId()
                  + " with the artifactId appended (expected: child.scm."
                  + part
                  + ".inherit.append.path=\"false\" on the parent's <scm>)");
        }
      }
    }
    if (!chain.stream().anyMatch(ReleaseCheck::hasReleaseProfile)) {
      problems.add(
          "release profile: none with "
              + RELEASE_PROFILE_PLUGINS
              + " in this POM or its parents (expected: the parent's <profile> with <id>release</id>;"
              + " a POM without the parent, like the BOM, declares its own)");
    }
    for (PomFile parent : chain.subList(1, chain.size())) {
      if ("true".equals(parent.text("properties/maven.deploy.skip"))) {
        problems.add(
            "parent: "
                + parent.artifactId()
                + " is not deployed (maven.deploy.skip), but Central needs every parent POM");
      }
    }
    return problems;
  }

  private static @Nullable PomFile owner(List<PomFile> chain, String path) {
    for (PomFile pom : chain) {
      if (pom.element(path) != null) {
        return pom;
      }
    }
    return null;
  }

  private static boolean appends(Element element, String attribute) {
    return !"false".equals(element.getAttribute(attribute));
  }

  private static boolean hasReleaseProfile(PomFile pom) {
    for (Element profile : PomFile.children(pom.element("profiles"), "profile")) {
      if (!"release".equals(PomFile.text(profile, "id"))) {
        continue;
      }
      Element build = PomFile.child(profile, "build");
      Set<String> plugins = new HashSet<>();
      if (build != null) {
        for (Element plugin : PomFile.children(PomFile.child(build, "plugins"), "plugin")) {
          plugins.add(String.valueOf(PomFile.text(plugin, "artifactId")));
        }
      }
      return plugins.contains("maven-gpg-plugin")
          && plugins.contains("central-publishing-maven-plugin");
    }
    return false;
  }

  /** The files the deploy would upload, checked; problems are added to {@code problems}. */
  static List<BundleFile> files(
      PomFile pom,
      String packaging,
      String artifact,
      String attached,
      Path buildDir,
      String finalName,
      List<String> problems)
      throws IOException {
    List<BundleFile> files = new ArrayList<>();
    files.add(new BundleFile(null, "pom", pom.file));
    if (packaging.equals("pom")) {
      return files;
    }
    if (!packaging.equals("jar")) {
      problems.add("packaging: " + packaging + " (expected: jar or pom; the check knows no other)");
      return files;
    }
    Path jar = artifact.isEmpty() ? buildDir.resolve(finalName + ".jar") : Path.of(artifact);
    if (!artifact.endsWith(".jar") || !Files.isRegularFile(jar)) {
      problems.add("jar: not built in this build (the project's file is '" + artifact + "')");
    } else {
      files.add(new BundleFile(null, "jar", jar));
      checkJar(jar, "jar", ".class", problems);
      try (JarFile opened = new JarFile(jar.toFile())) {
        var manifest = opened.getManifest();
        if (manifest == null
            || manifest.getMainAttributes().getValue("Automatic-Module-Name") == null) {
          problems.add("jar: " + jar.getFileName() + " has no Automatic-Module-Name");
        }
      }
    }
    Map<String, String> classifiers = attachedClassifiers(attached);
    for (String required : List.of("sources", "javadoc")) {
      if (!classifiers.containsKey(required)) {
        problems.add(
            required
                + " jar: not attached in this build (expected: maven-"
                + (required.equals("sources") ? "source" : "javadoc")
                + "-plugin's jar goal, not skipped; attached: "
                + classifiers.keySet()
                + ")");
      }
    }
    for (Map.Entry<String, String> entry : classifiers.entrySet()) {
      String classifier = entry.getKey();
      String extension = entry.getValue();
      Path file = buildDir.resolve(finalName + "-" + classifier + "." + extension);
      if (!Files.isRegularFile(file)) {
        problems.add(classifier + " jar: attached but " + file + " does not exist");
        continue;
      }
      files.add(new BundleFile(classifier, extension, file));
      if (classifier.equals("sources")) {
        checkJar(file, "sources jar", ".java", problems);
      } else if (classifier.equals("javadoc")) {
        checkJar(file, "javadoc jar", "index.html", problems);
      }
    }
    return files;
  }

  /**
   * Classifier to extension, from Maven's list of attached artifacts as it prints it: {@code
   * [g:a:java-source:sources:1.0, g:a:javadoc:javadoc:1.0, g:a:test-jar:tests:1.0]}.
   */
  static Map<String, String> attachedClassifiers(String attached) {
    Map<String, String> classifiers = new java.util.TreeMap<>();
    String list = attached.trim();
    if (list.startsWith("[") && list.endsWith("]")) {
      list = list.substring(1, list.length() - 1);
    }
    for (String entry : list.split(",", -1)) {
      String[] parts = entry.trim().split(":", -1);
      if (parts.length == 5) {
        String type = parts[2];
        String extension =
            switch (type) {
              case "java-source", "javadoc", "test-jar", "jar" -> "jar";
              default -> type;
            };
        classifiers.put(parts[3], extension);
      }
    }
    return classifiers;
  }

  private static void checkJar(Path jar, String what, String suffix, List<String> problems)
      throws IOException {
    try (JarFile opened = new JarFile(jar.toFile())) {
      boolean found = opened.stream().anyMatch(entry -> entry.getName().endsWith(suffix));
      if (!found) {
        problems.add(what + ": " + jar.getFileName() + " has no " + suffix + " entry");
      }
    } catch (IOException e) {
      problems.add(what + ": " + jar.getFileName() + " is not a readable jar: " + e.getMessage());
    }
  }

  /** Copies the files into the repository layout with MD5 and SHA-1 files; returns the folder. */
  static Path stage(PomFile pom, List<BundleFile> files, Path bundle) throws IOException {
    String groupId = String.valueOf(pom.groupId());
    String version = String.valueOf(pom.version());
    String artifactId = pom.artifactId();
    Path folder = bundle.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version);
    deleteRecursively(folder);
    Files.createDirectories(folder);
    for (BundleFile file : files) {
      String name =
          artifactId
              + "-"
              + version
              + (file.classifier() == null ? "" : "-" + file.classifier())
              + "."
              + file.extension();
      Path target = folder.resolve(name);
      Files.copy(file.source(), target, StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(folder.resolve(name + ".md5"), digest("MD5", target));
      Files.writeString(folder.resolve(name + ".sha1"), digest("SHA-1", target));
    }
    return folder;
  }

  static String digest(String algorithm, Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance(algorithm);
      byte[] buffer = new byte[8192];
      for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required of every JDK", e);
    }
  }

  private static void deleteRecursively(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static String required(Map<String, String> options, String key) {
    return Options.required(options, key);
  }
}

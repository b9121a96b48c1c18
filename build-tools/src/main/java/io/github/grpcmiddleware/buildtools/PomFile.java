package io.github.grpcmiddleware.buildtools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/** A POM as written (not the effective model), with its parent found as Maven finds it. */
final class PomFile {
  final Path file;
  final Element project;

  private PomFile(Path file, Element project) {
    this.file = file;
    this.project = project;
  }

  static PomFile read(Path file) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return new PomFile(
          file, factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement());
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException(file + ": not a readable POM: " + e.getMessage(), e);
    }
  }

  /** The element at the path below {@code <project>} (e.g. {@code "scm/url"}), or null. */
  @Nullable Element element(String path) {
    Element current = project;
    for (String name : path.split("/", -1)) {
      current = child(current, name);
      if (current == null) {
        return null;
      }
    }
    return current;
  }

  /** The trimmed text at the path, or null when absent or blank. */
  @Nullable String text(String path) {
    Element element = element(path);
    if (element == null) {
      return null;
    }
    String text = element.getTextContent().trim().replaceAll("\\s+", " ");
    return text.isEmpty() ? null : text;
  }

  static @Nullable Element child(Element parent, String name) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(name)) {
        return element;
      }
    }
    return null;
  }

  static List<Element> children(@Nullable Element parent, String name) {
    List<Element> found = new ArrayList<>();
    if (parent == null) {
      return found;
    }
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(name)) {
        found.add(element);
      }
    }
    return found;
  }

  static @Nullable String text(Element parent, String name) {
    Element child = child(parent, name);
    String text = child == null ? "" : child.getTextContent().trim();
    return text.isEmpty() ? null : text;
  }

  /** The directory that holds the file. */
  static Path directory(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent == null) {
      throw new IllegalArgumentException("file: " + file + " (expected: a file in a directory)");
    }
    return parent;
  }

  String artifactId() {
    String artifactId = text("artifactId");
    return artifactId == null ? file.toString() : artifactId;
  }

  @Nullable String groupId() {
    String own = text("groupId");
    return own != null ? own : text("parent/groupId");
  }

  @Nullable String version() {
    String own = text("version");
    return own != null ? own : text("parent/version");
  }

  /**
   * The parent POM from {@code <relativePath>} (default {@code ../pom.xml}), null when the POM
   * declares none; throws when the file there is not the declared parent.
   */
  @Nullable PomFile parent() throws IOException {
    Element parent = element("parent");
    if (parent == null) {
      return null;
    }
    Element relative = child(parent, "relativePath");
    String relativePath = relative == null ? "../pom.xml" : relative.getTextContent().trim();
    String declared =
        text(parent, "groupId") + ":" + text(parent, "artifactId") + ":" + text(parent, "version");
    if (relativePath.isEmpty()) {
      throw new IOException(file + ": parent " + declared + " has an empty relativePath");
    }
    Path candidate = directory(file).resolve(relativePath).normalize();
    if (Files.isDirectory(candidate)) {
      candidate = candidate.resolve("pom.xml");
    }
    if (!Files.exists(candidate)) {
      throw new IOException(file + ": parent " + declared + " not found at " + candidate);
    }
    PomFile found = read(candidate);
    String actual = found.groupId() + ":" + found.artifactId() + ":" + found.version();
    if (!actual.equals(declared)) {
      throw new IOException(file + ": parent " + declared + " but " + candidate + " is " + actual);
    }
    return found;
  }
}

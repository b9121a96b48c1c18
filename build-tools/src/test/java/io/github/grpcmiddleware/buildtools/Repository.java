package io.github.grpcmiddleware.buildtools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The repository the tests check: its committed files, found from the system property. */
final class Repository {
  static final Path ROOT =
      Path.of(System.getProperty("repository.root", "..")).toAbsolutePath().normalize();

  private Repository() {}

  /** Every file under {@code ROOT} whose path matches, outside build output and node_modules. */
  static List<Path> files(String glob) throws IOException {
    var matcher = ROOT.getFileSystem().getPathMatcher("glob:" + glob);
    try (Stream<Path> paths = Files.walk(ROOT)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(path -> !path.toString().contains("/target/"))
          .filter(path -> !path.toString().contains("/node_modules/"))
          .filter(path -> !path.toString().contains("/.git/"))
          .filter(path -> matcher.matches(ROOT.relativize(path)))
          .sorted()
          .toList();
    }
  }
}

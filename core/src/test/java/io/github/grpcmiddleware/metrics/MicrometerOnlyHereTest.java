package io.github.grpcmiddleware.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * micrometer-core is optional: a service without it must be able to load every class of core it
 * uses. So no class outside this package names a Micrometer type (the constant pool of a class
 * holds the name of every class it refers to).
 */
class MicrometerOnlyHereTest {

  @Test
  void noClassOutsideTheMetricsPackageNamesMicrometer() throws Exception {
    Path classes =
        Paths.get(GrpcMetrics.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path metrics = classes.resolve("io/github/grpcmiddleware/metrics");
    List<Path> all;
    try (Stream<Path> files = Files.walk(classes)) {
      all = files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList());
    }
    List<String> naming =
        all.stream()
            .filter(f -> !f.startsWith(metrics))
            .filter(MicrometerOnlyHereTest::namesMicrometer)
            .map(f -> classes.relativize(f).toString())
            .collect(Collectors.toList());

    assertThat(all).as("core's classes").hasSizeGreaterThan(100);
    assertThat(all.stream().filter(MicrometerOnlyHereTest::namesMicrometer))
        .as("the metrics package's own classes do name it (the check can see it)")
        .isNotEmpty();
    assertThat(naming).as("classes outside the metrics package naming Micrometer").isEmpty();
  }

  private static boolean namesMicrometer(Path classFile) {
    try {
      return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1)
          .contains("io/micrometer/");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

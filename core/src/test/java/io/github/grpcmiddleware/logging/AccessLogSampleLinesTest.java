package io.github.grpcmiddleware.logging;

import static io.github.grpcmiddleware.testsupport.ObservedService.request;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.testing.GrpcServerExtension;
import io.github.grpcmiddleware.testing.LogCapture;
import io.github.grpcmiddleware.testsupport.ObservedService;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every server access line the docs show has the fields the access log writes, in its order (a
 * sample in docs/production.md lacked {@code deadline=}, issue 29).
 */
class AccessLogSampleLinesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern FIELD = Pattern.compile(" ([a-zA-Z]+)=");

  @RegisterExtension
  final GrpcServerExtension grpc =
      GrpcServerExtension.builder()
          .service(new ObservedService())
          .interceptor(AccessLog.serverBuilder().build())
          .build();

  @RegisterExtension
  final LogCapture server = LogCapture.forLogger(AccessLog.SERVER_LOGGER_NAME).atLevel("INFO");

  private static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    Matcher matcher = FIELD.matcher(line);
    while (matcher.find()) {
      fields.add(matcher.group(1));
    }
    return fields;
  }

  @Test
  void theDocsSampleLinesHaveTheFieldsOfARealLine() throws Exception {
    SimpleServiceGrpc.newBlockingStub(grpc.channel()).unaryRpc(request("bob"));
    String real = server.awaitEvents(1, Duration.ofSeconds(5)).get(0).message();
    List<String> expected = fields(real);
    assertThat(expected).contains("peer", "traceId", "deadline");

    List<String> wrong = new ArrayList<>();
    int samples = 0;
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(page -> page.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    for (Path page : pages) {
      for (String line : Files.readAllLines(page, UTF_8)) {
        if (line.contains(" server ") && line.contains(" peer=") && line.contains(" traceId=")) {
          samples++;
          if (!fields(line).equals(expected)) {
            wrong.add(ROOT.relativize(page) + ": " + fields(line) + " in: " + line.trim());
          }
        }
      }
    }
    assertThat(samples).as("sample access lines in the docs").isGreaterThan(3);
    assertThat(wrong).as("sample lines whose fields differ from " + expected).isEmpty();
  }
}

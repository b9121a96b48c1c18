package io.github.grpcmiddleware.examples;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.QuotaFailure;
import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.chain.ClientChain;
import io.github.grpcmiddleware.errors.ErrorReport;
import io.github.grpcmiddleware.examples.proto.ChatMessage;
import io.github.grpcmiddleware.examples.proto.CreateUserRequest;
import io.github.grpcmiddleware.examples.proto.CreateUsersResponse;
import io.github.grpcmiddleware.examples.proto.ExportUsersRequest;
import io.github.grpcmiddleware.examples.proto.GreeterGrpc;
import io.github.grpcmiddleware.examples.proto.HelloRequest;
import io.github.grpcmiddleware.examples.proto.ListUsersRequest;
import io.github.grpcmiddleware.examples.proto.UserRequest;
import io.github.grpcmiddleware.examples.proto.UserResponse;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.github.grpcmiddleware.i18n.Locales;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.CallCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The Java demo client: calls every method of the example services through the client chain and
 * prints what a user sees.
 *
 * <pre>
 * java -cp examples/target/example-server.jar io.github.grpcmiddleware.examples.ExampleClient \
 *     [--target 127.0.0.1:50051]
 * </pre>
 *
 * <p>The token comes from {@code DEMO_TOKEN} (default {@code demo-token}). Besides the calls that
 * succeed it shows what the chain answers: localized errors, a {@code google.rpc.BadRequest} from
 * the {@code buf.validate} rules in English and Chinese, and {@code RESOURCE_EXHAUSTED} with {@code
 * RetryInfo} and {@code QuotaFailure} from the rate limit on {@code ExportUsers}.
 */
public final class ExampleClient {
  private static final String CALLER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  private final PrintStream out;
  private final AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
  private final AtomicReference<Metadata> responseTrailers = new AtomicReference<>();
  private final GreeterGrpc.GreeterBlockingStub greeter;
  private final UserServiceGrpc.UserServiceBlockingStub users;
  private final UserServiceGrpc.UserServiceBlockingStub anonymous;
  private final UserServiceGrpc.UserServiceStub usersAsync;

  private ExampleClient(ManagedChannel channel, String token, PrintStream out) {
    this.out = out;
    CallCredentials credentials =
        Auth.clientBuilder().bearerToken(token).allowPlaintextLoopback(true).build();
    this.greeter =
        GreeterGrpc.newBlockingStub(channel)
            .withInterceptors(
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, responseTrailers));
    this.anonymous = UserServiceGrpc.newBlockingStub(channel);
    this.users = anonymous.withCallCredentials(credentials);
    this.usersAsync = UserServiceGrpc.newStub(channel).withCallCredentials(credentials);
  }

  /**
   * Runs the demo against a running example server.
   *
   * @param args {@code --target HOST:PORT}, optional
   * @throws Exception when the server cannot be reached
   */
  public static void main(String[] args) throws Exception {
    String target = args.length == 2 && "--target".equals(args[0]) ? args[1] : "127.0.0.1:50051";
    String token = System.getenv().getOrDefault("DEMO_TOKEN", "demo-token");
    run(target, token, System.out);
  }

  /** Runs the demo against {@code target}, printing to {@code out} (the demo's tests read it). */
  static void run(String target, String token, PrintStream out) throws Exception {
    AtomicReference<Locale> language = new AtomicReference<>(Locale.ENGLISH);
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(target)
            .usePlaintext()
            .intercept(clientChain(language::get))
            .build();
    try {
      new ExampleClient(channel, token, out).run(language);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The client chain: accept-language from the supplier, traceparent nearest the channel. */
  static ClientInterceptor clientChain(Supplier<Locale> language) {
    // [START client_chain]
    return ClientChain.builder()
        .tracing(TraceIds.newClientInterceptor())
        .locale(Locales.clientBuilder().locale(language::get).build())
        .build();
    // [END client_chain]
  }

  private void run(AtomicReference<Locale> language) throws Exception {
    section("Trace id: the caller's id travels in traceparent and comes back in x-trace-id");
    MDC.put("traceId", CALLER_TRACE_ID);
    try {
      String message =
          greeter.sayHello(HelloRequest.newBuilder().setName("Java").build()).getMessage();
      print("SayHello", "\"" + message + "\"");
      print("  caller's trace id", CALLER_TRACE_ID);
      print("  x-trace-id", header(responseHeaders.get(), "x-trace-id"));
    } finally {
      MDC.remove("traceId");
    }
    greeter.sayHello(HelloRequest.newBuilder().setName("again").build());
    print(
        "SayHello without a trace",
        "new x-trace-id " + header(responseHeaders.get(), "x-trace-id"));

    section("UserService, unary (authorization: Bearer <token>)");
    UserResponse ada = users.getUser(UserRequest.newBuilder().setId(1).build());
    print("GetUser(1)", ada.getName() + " <" + ada.getEmail() + ">");
    for (Locale locale : Arrays.asList(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)) {
      language.set(locale);
      fail("GetUser(999) [" + locale.toLanguageTag() + "]", () -> users.getUser(id(999)));
    }
    language.set(Locale.ENGLISH);
    fail("GetUser(500)", () -> users.getUser(id(500)));
    fail("GetUser(1) without a token", () -> anonymous.getUser(id(1)));

    section("UserService, streaming");
    List<String> listed = new ArrayList<>();
    Iterator<UserResponse> it = users.listUsers(ListUsersRequest.getDefaultInstance());
    it.forEachRemaining(u -> listed.add(u.getId() + " " + u.getName()));
    print("ListUsers", String.join(", ", listed));
    print("CreateUsers(ada, bob)", createUsers(user("ada", "ada@example.com"), user("bob", "")));
    print("Chat(hello, 你好 🌏)", chat("hello", "你好 🌏"));
    print("Chat(panic)", chat("panic"));

    section("Validation: the buf.validate rules of example.proto, in the caller's language");
    fail("GetUser(0)", () -> users.getUser(id(0)));
    for (Locale locale : Arrays.asList(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)) {
      language.set(locale);
      print(
          "CreateUsers(ada, \"\" <not-an-email>) [" + locale.toLanguageTag() + "]",
          createUsers(user("ada", "ada@example.com"), user("", "not-an-email")));
    }
    language.set(Locale.ENGLISH);

    section("Limits: ExportUsers allows 2 calls a minute per caller");
    for (int call = 1; call <= 3; call++) {
      try {
        int lines =
            users.exportUsers(ExportUsersRequest.getDefaultInstance()).getCsv().split("\n").length;
        print("ExportUsers #" + call, "OK, " + lines + " users");
      } catch (StatusRuntimeException e) {
        print("ExportUsers #" + call, describe(e));
      }
    }
  }

  private static CreateUserRequest user(String name, String email) {
    return CreateUserRequest.newBuilder().setName(name).setEmail(email).build();
  }

  private static UserRequest id(int id) {
    return UserRequest.newBuilder().setId(id).build();
  }

  private void fail(String label, Runnable call) {
    try {
      call.run();
      print(label, "unexpectedly OK");
    } catch (StatusRuntimeException e) {
      print(label, describe(e));
    }
  }

  private static String describe(Throwable failure) {
    ErrorReport report = ErrorReport.from(failure);
    StringBuilder text = new StringBuilder();
    text.append(report.code()).append(" \"").append(report.description()).append('"');
    if (report.locale() != null) {
      text.append("\n      LocalizedMessage [").append(report.locale()).append("] ");
      text.append(report.localizedMessage());
    }
    for (BadRequest.FieldViolation violation : report.fieldViolations()) {
      text.append("\n      BadRequest ")
          .append(violation.getField())
          .append(": ")
          .append(violation.getDescription());
    }
    ErrorInfo info = report.errorInfo();
    if (info != null) {
      text.append("\n      ErrorInfo ").append(info.getReason());
      text.append(" (").append(info.getDomain()).append(") ").append(info.getMetadataMap());
    }
    Duration delay = report.retryDelay();
    if (delay != null) {
      text.append("\n      RetryInfo retry in ").append(delay.toMillis()).append(" ms");
    }
    for (QuotaFailure.Violation violation : quotaFailures(failure)) {
      text.append("\n      QuotaFailure ")
          .append(violation.getSubject())
          .append(": ")
          .append(violation.getDescription());
    }
    if (report.traceId() != null) {
      text.append("\n      x-trace-id ").append(report.traceId());
    }
    return text.toString();
  }

  /** ErrorReport decodes the common details; QuotaFailure is read from the status proto here. */
  private static List<QuotaFailure.Violation> quotaFailures(Throwable failure) {
    com.google.rpc.Status status = StatusProto.fromThrowable(failure);
    List<QuotaFailure.Violation> violations = new ArrayList<>();
    if (status != null) {
      for (Any detail : status.getDetailsList()) {
        if (detail.is(QuotaFailure.class)) {
          try {
            violations.addAll(detail.unpack(QuotaFailure.class).getViolationsList());
          } catch (InvalidProtocolBufferException e) {
            // Not decodable: the other details are still shown.
          }
        }
      }
    }
    return violations;
  }

  private String createUsers(CreateUserRequest... users) throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    StreamObserver<CreateUserRequest> requests =
        usersAsync.createUsers(
            new StreamObserver<CreateUsersResponse>() {
              @Override
              public void onNext(CreateUsersResponse response) {
                result.complete("created " + response.getCreated());
              }

              @Override
              public void onError(Throwable t) {
                result.complete(describe(t));
              }

              @Override
              public void onCompleted() {}
            });
    for (CreateUserRequest user : users) {
      requests.onNext(user);
    }
    requests.onCompleted();
    return result.get(10, TimeUnit.SECONDS);
  }

  private String chat(String... texts) throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    List<String> echoed = new ArrayList<>();
    StreamObserver<ChatMessage> requests =
        usersAsync.chat(
            new StreamObserver<ChatMessage>() {
              @Override
              public void onNext(ChatMessage message) {
                echoed.add(message.getText());
              }

              @Override
              public void onError(Throwable t) {
                result.complete(describe(t));
              }

              @Override
              public void onCompleted() {
                result.complete("echoed " + String.join(" | ", echoed));
              }
            });
    for (String text : texts) {
      requests.onNext(ChatMessage.newBuilder().setText(text).build());
    }
    requests.onCompleted();
    return result.get(10, TimeUnit.SECONDS);
  }

  private static String header(@Nullable Metadata metadata, String name) {
    String value =
        metadata == null
            ? null
            : metadata.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    return value == null ? "(none)" : value;
  }

  private void section(String title) {
    out.println();
    out.println("== " + title);
  }

  private void print(String label, String value) {
    out.printf("%-28s %s%n", label, value);
  }
}

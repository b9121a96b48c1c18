package io.github.grpcmiddleware.benchmarks;

import io.github.grpcmiddleware.benchmarks.proto.CreateReply;
import io.github.grpcmiddleware.benchmarks.proto.CreateRequest;
import io.github.grpcmiddleware.benchmarks.proto.PlainCreateRequest;
import io.github.grpcmiddleware.benchmarks.proto.ValidatedServiceGrpc;
import io.github.grpcmiddleware.validation.Validation;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One in-process unary call with a small valid message (name, email, id), bare and through our
 * validation interceptor: {@code validated} has buf.validate rules on all three fields, {@code
 * plain} is the same message without rules (what validation costs a method it has nothing to check
 * on). Needs protobuf-java 4.x, as the validation module does: {@code ./mvnw -B -Pprotobuf4 -pl
 * benchmarks -am package -DskipTests}, then {@code java -jar benchmarks/target/benchmarks.jar
 * ValidationBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("NullAway.Init")
public class ValidationBenchmark {

  /** Our validation interceptor alone, server side. */
  static final String VALIDATION = "validation";

  /** No interceptors ({@link Stack#BARE}), or {@link #VALIDATION}. */
  @Param({Stack.BARE, VALIDATION})
  public String stack;

  private final CreateRequest request =
      CreateRequest.newBuilder().setName("Ada").setEmail("ada@example.com").setId(7).build();
  private final PlainCreateRequest plainRequest =
      PlainCreateRequest.newBuilder().setName("Ada").setEmail("ada@example.com").setId(7).build();
  private Stack config;
  private Endpoint endpoint;
  private ValidatedServiceGrpc.ValidatedServiceBlockingStub stub;

  /** Starts the server and channel, and checks one call of each kind. */
  @Setup
  public void setUp() throws Exception {
    config = Stack.create(Stack.BARE);
    if (VALIDATION.equals(stack)) {
      config.server.add(Validation.newServerInterceptor());
    }
    endpoint = Endpoint.inProcess(config, new Service());
    stub = ValidatedServiceGrpc.newBlockingStub(endpoint.channel);
    if (validated().getId() != 7 || plain().getId() != 7) {
      throw new IllegalStateException("the echo service answered wrongly");
    }
  }

  /** Stops everything. */
  @TearDown
  public void tearDown() throws Exception {
    endpoint.close();
    config.close();
  }

  /**
   * One unary call whose request has rules.
   *
   * @return the response, consumed by JMH
   */
  @Benchmark
  public CreateReply validated() {
    return stub.create(request);
  }

  /**
   * One unary call whose request has no rules.
   *
   * @return the response, consumed by JMH
   */
  @Benchmark
  public CreateReply plain() {
    return stub.createPlain(plainRequest);
  }

  /** Answers with the request's id. */
  static final class Service extends ValidatedServiceGrpc.ValidatedServiceImplBase {
    private static final CreateReply SEVEN = CreateReply.newBuilder().setId(7).build();

    @Override
    public void create(CreateRequest request, StreamObserver<CreateReply> out) {
      out.onNext(
          request.getId() == 7 ? SEVEN : CreateReply.newBuilder().setId(request.getId()).build());
      out.onCompleted();
    }

    @Override
    public void createPlain(PlainCreateRequest request, StreamObserver<CreateReply> out) {
      out.onNext(
          request.getId() == 7 ? SEVEN : CreateReply.newBuilder().setId(request.getId()).build());
      out.onCompleted();
    }
  }
}

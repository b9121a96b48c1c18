package io.github.grpcmiddleware.examples;

import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.examples.proto.ChatMessage;
import io.github.grpcmiddleware.examples.proto.CreateUserRequest;
import io.github.grpcmiddleware.examples.proto.CreateUsersResponse;
import io.github.grpcmiddleware.examples.proto.ExportUsersRequest;
import io.github.grpcmiddleware.examples.proto.ExportUsersResponse;
import io.github.grpcmiddleware.examples.proto.ListUsersRequest;
import io.github.grpcmiddleware.examples.proto.UserRequest;
import io.github.grpcmiddleware.examples.proto.UserResponse;
import io.github.grpcmiddleware.examples.proto.UserServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UserService of the example contract. It throws {@link ServiceException}s with message keys
 * from {@code example-messages*.properties}; error mapping turns them into localized statuses. Id
 * 500 and the chat text {@code panic} stand for bugs whose messages carry internal detail that must
 * never reach the caller.
 *
 * <p>It has no hand-written request checks: the {@code buf.validate} rules of {@code example.proto}
 * ({@code id > 0}, a non-empty name, an email address when one is given) are checked by the
 * validation part of {@link ExampleServer}'s chain, and {@code ExportUsers} is rate-limited there.
 * Served without that chain, {@code GetUser(0)} is simply {@code NOT_FOUND}.
 */
final class UserServiceImpl extends UserServiceGrpc.UserServiceImplBase {
  private static final Logger logger = LoggerFactory.getLogger(UserServiceImpl.class);

  private final Map<Integer, UserResponse> users = new TreeMap<>();

  UserServiceImpl() {
    add(1, "Ada Lovelace", "ada@example.com");
    add(2, "Grace Hopper", "grace@example.com");
    add(3, "Alan Turing", "alan@example.com");
  }

  private void add(int id, String name, String email) {
    users.put(id, UserResponse.newBuilder().setId(id).setName(name).setEmail(email).build());
  }

  @Override
  public void getUser(UserRequest request, StreamObserver<UserResponse> responseObserver) {
    // id > 0 is a rule in example.proto: the validation part of the chain answers GetUser(0) with
    // INVALID_ARGUMENT and a BadRequest on `id` before this method runs.
    int id = request.getId();
    logger.info("GetUser {}", id);
    if (id == 500) {
      throw new IllegalStateException(
          "connection to db-internal-7:5432 failed for user admin (secret=hunter2)");
    }
    UserResponse user = users.get(id);
    if (user == null) {
      throw ServiceException.builder(Status.Code.NOT_FOUND, "example.user.notFound")
          .args(id)
          .defaultMessage("User {0,number,#} does not exist.")
          .resourceInfo("example.User", Integer.toString(id), "", "no such user")
          .build();
    }
    responseObserver.onNext(user);
    responseObserver.onCompleted();
  }

  @Override
  public void listUsers(ListUsersRequest request, StreamObserver<UserResponse> responseObserver) {
    logger.info("ListUsers");
    // Flow control: send only while the transport is ready, resume from onReady; a client that
    // never reads then holds the call open without making the server queue the rest.
    ServerCallStreamObserver<UserResponse> out =
        (ServerCallStreamObserver<UserResponse>) responseObserver;
    Iterator<UserResponse> remaining = new ArrayList<>(users.values()).iterator();
    Runnable drain =
        new Runnable() {
          private boolean completed;

          @Override
          public void run() {
            while (!completed && remaining.hasNext() && out.isReady()) {
              out.onNext(remaining.next());
            }
            if (!completed && !remaining.hasNext()) {
              completed = true;
              out.onCompleted();
            }
          }
        };
    out.setOnCancelHandler(() -> logger.info("ListUsers: client went away"));
    out.setOnReadyHandler(drain);
    drain.run();
  }

  @Override
  public StreamObserver<CreateUserRequest> createUsers(
      StreamObserver<CreateUsersResponse> responseObserver) {
    return new StreamObserver<CreateUserRequest>() {
      private int created;

      @Override
      public void onNext(CreateUserRequest request) {
        // name (min_len 1) and email (an email address when given) are rules in example.proto:
        // the first invalid request ends the call before it gets here.
        created++;
        logger.info("CreateUsers: created {}", LogText.escape(request.getName()));
      }

      @Override
      public void onError(Throwable t) {
        logger.info("CreateUsers: client went away after {} users", created);
      }

      @Override
      public void onCompleted() {
        responseObserver.onNext(CreateUsersResponse.newBuilder().setCreated(created).build());
        responseObserver.onCompleted();
      }
    };
  }

  @Override
  public void exportUsers(
      ExportUsersRequest request, StreamObserver<ExportUsersResponse> responseObserver) {
    // Rate-limited per caller by the limits part of the chain (ExampleServer): a caller over the
    // limit gets RESOURCE_EXHAUSTED with RetryInfo before this method runs.
    logger.info("ExportUsers");
    StringBuilder csv = new StringBuilder();
    for (UserResponse user : users.values()) {
      csv.append(user.getId())
          .append(',')
          .append(user.getName())
          .append(',')
          .append(user.getEmail())
          .append('\n');
    }
    responseObserver.onNext(ExportUsersResponse.newBuilder().setCsv(csv.toString()).build());
    responseObserver.onCompleted();
  }

  @Override
  public StreamObserver<ChatMessage> chat(StreamObserver<ChatMessage> responseObserver) {
    ServerCallStreamObserver<ChatMessage> out =
        (ServerCallStreamObserver<ChatMessage>) responseObserver;
    // Flow control: one message is requested at a time, and the next only once its echo could be
    // sent. A client that never reads stops the echoes, then stops being read: the server buffers
    // one message and whatever the HTTP/2 window lets in, not everything the client sends.
    out.disableAutoRequest();
    ChatEcho echo = new ChatEcho(out);
    out.setOnReadyHandler(echo::onReady);
    out.request(1);
    return echo;
  }

  /** Echoes chat messages while the client reads them; grpc-java serializes the callbacks. */
  private static final class ChatEcho implements StreamObserver<ChatMessage> {
    private final ServerCallStreamObserver<ChatMessage> out;
    private @Nullable ChatMessage pending;
    private boolean halfClosed;
    private boolean done;

    ChatEcho(ServerCallStreamObserver<ChatMessage> out) {
      this.out = out;
    }

    @Override
    public void onNext(ChatMessage message) {
      if ("panic".equals(message.getText())) {
        throw new IllegalStateException("chat state corrupted: session key=0xDEADBEEF");
      }
      logger.info("Chat: echo {} chars", message.getText().length());
      if (out.isReady()) {
        out.onNext(message);
        out.request(1);
      } else {
        pending = message;
      }
    }

    void onReady() {
      ChatMessage message = pending;
      if (message == null || done || !out.isReady()) {
        return;
      }
      pending = null;
      out.onNext(message);
      if (halfClosed) {
        done = true;
        out.onCompleted();
      } else {
        out.request(1);
      }
    }

    @Override
    public void onError(Throwable t) {
      pending = null;
      done = true;
      logger.info("Chat: client went away");
    }

    @Override
    public void onCompleted() {
      halfClosed = true;
      if (pending == null && !done) {
        done = true;
        out.onCompleted();
      }
    }
  }
}

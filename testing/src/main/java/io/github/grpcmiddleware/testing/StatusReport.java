package io.github.grpcmiddleware.testing;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.DebugInfo;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Help;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RequestInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A status, its trailers and the decoded {@code grpc-status-details-bin}, printable whole. */
final class StatusReport {
  static final Metadata.Key<com.google.rpc.Status> DETAILS_KEY =
      Metadata.Key.of(
          "grpc-status-details-bin",
          ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

  private static final Message[] KNOWN_DETAILS = {
    ErrorInfo.getDefaultInstance(),
    LocalizedMessage.getDefaultInstance(),
    BadRequest.getDefaultInstance(),
    RetryInfo.getDefaultInstance(),
    PreconditionFailure.getDefaultInstance(),
    ResourceInfo.getDefaultInstance(),
    QuotaFailure.getDefaultInstance(),
    DebugInfo.getDefaultInstance(),
    Help.getDefaultInstance(),
    RequestInfo.getDefaultInstance(),
  };
  private static final TextFormat.Printer PRINTER = TextFormat.printer().escapingNonAscii(false);

  final Status status;
  final Metadata trailers;
  final List<Message> details;
  final @Nullable String detailsProblem;

  StatusReport(Status status, @Nullable Metadata trailers) {
    this.status = status;
    this.trailers = trailers == null ? new Metadata() : Metadatas.copy(trailers);
    List<Message> decoded = new ArrayList<>();
    String problem = null;
    try {
      com.google.rpc.Status proto = this.trailers.get(DETAILS_KEY);
      if (proto != null) {
        if (proto.getCode() != status.getCode().value()) {
          problem =
              "grpc-status-details-bin has code "
                  + proto.getCode()
                  + " but the status is "
                  + status.getCode();
        }
        for (Any any : proto.getDetailsList()) {
          decoded.add(unpack(any));
        }
      }
    } catch (RuntimeException e) {
      problem = "grpc-status-details-bin does not decode: " + e;
    }
    this.details = Collections.unmodifiableList(decoded);
    this.detailsProblem = problem;
  }

  private static Message unpack(Any any) {
    for (Message known : KNOWN_DETAILS) {
      if (any.is(known.getClass())) {
        try {
          return any.unpack(known.getClass());
        } catch (InvalidProtocolBufferException e) {
          return any;
        }
      }
    }
    return any;
  }

  <T extends Message> List<T> detailsOf(Class<T> type) {
    List<T> found = new ArrayList<>();
    for (Message detail : details) {
      if (type.isInstance(detail)) {
        found.add(type.cast(detail));
      }
    }
    return found;
  }

  @Nullable String trailer(String name) {
    return trailers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
  }

  /** The description, every decoded detail and every ASCII trailer value, for leak checks. */
  String visibleText() {
    StringBuilder text = new StringBuilder();
    appendQuoted(text, status.getDescription());
    for (Message detail : details) {
      text.append('\n').append(PRINTER.shortDebugString(detail));
    }
    for (String key : trailers.keys()) {
      if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        Iterable<String> values =
            trailers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        if (values != null) {
          for (String value : values) {
            text.append('\n').append(value);
          }
        }
      }
    }
    return text.toString();
  }

  AssertionError failure(String expected) {
    return new AssertionError(
        "Expected " + expected + "\nbut the call ended with:\n" + this, status.getCause());
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    text.append("  code: ").append(status.getCode()).append('\n');
    text.append("  description: ");
    appendQuoted(text, status.getDescription());
    text.append('\n');
    if (status.getCause() != null) {
      text.append("  cause: ").append(status.getCause()).append('\n');
    }
    text.append("  details:");
    if (details.isEmpty()) {
      text.append(" (none)");
    }
    for (Message detail : details) {
      text.append("\n    ")
          .append(detail.getDescriptorForType().getFullName())
          .append(" { ")
          .append(PRINTER.shortDebugString(detail))
          .append(" }");
    }
    if (detailsProblem != null) {
      text.append("\n    (").append(detailsProblem).append(')');
    }
    text.append("\n  trailers:");
    if (trailers.keys().isEmpty()) {
      text.append(" (none)");
    }
    for (String key : trailers.keys()) {
      text.append("\n    ").append(key).append(": ");
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        int bytes = 0;
        Iterable<byte[]> values =
            trailers.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
        if (values != null) {
          for (byte[] value : values) {
            bytes += value.length;
          }
        }
        text.append('(').append(bytes).append(" bytes)");
      } else {
        Iterable<String> values =
            trailers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        text.append(values == null ? "" : String.join(", ", values));
      }
    }
    return text.toString();
  }

  static void appendQuoted(StringBuilder text, @Nullable String value) {
    if (value == null) {
      text.append("(none)");
    } else {
      text.append('"').append(value).append('"');
    }
  }
}

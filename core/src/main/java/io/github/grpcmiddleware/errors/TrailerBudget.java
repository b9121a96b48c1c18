package io.github.grpcmiddleware.errors;

import com.google.protobuf.Any;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.github.grpcmiddleware.internal.HeaderKeys;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Keeps an error's description and details within a byte budget measured as they travel: the
 * percent-encoded {@code grpc-message}, the base64 {@code grpc-status-details-bin}, and the other
 * trailers, each entry counted as name + value + 32 (HTTP/2's header list size).
 *
 * <p>This class is thread-safe (stateless).
 */
final class TrailerBudget {

  static final int ENTRY_OVERHEAD = 32;
  static final String ELLIPSIS = "...";
  private static final int GRPC_STATUS_ENTRY = "grpc-status".length() + 2 + ENTRY_OVERHEAD;
  private static final int GRPC_MESSAGE_NAME = "grpc-message".length() + ENTRY_OVERHEAD;
  private static final int DETAILS_NAME =
      HeaderKeys.STATUS_DETAILS.name().length() + ENTRY_OVERHEAD;

  private TrailerBudget() {}

  /** The description and the {@code google.rpc.Status} (null: send no details) that fit. */
  static final class Fitted {
    final String description;
    final com.google.rpc.@Nullable Status details;

    Fitted(String description, com.google.rpc.@Nullable Status details) {
      this.description = description;
      this.details = details;
    }
  }

  /**
   * Fits an error into {@code budget} bytes, given {@code fixedBytes} already taken by other
   * trailers. The description is cut first to a quarter of the budget, then details are dropped
   * (other messages, ResourceInfo, PreconditionFailure, BadRequest, RetryInfo, ErrorInfo, then the
   * LocalizedMessage), then the description is cut further.
   */
  static Fitted fit(
      Status.Code code,
      String description,
      @Nullable LocalizedMessage localized,
      List<Message> details,
      int fixedBytes,
      int budget) {
    int count = details.size();
    List<Any> packed = new ArrayList<>(count);
    boolean[] kept = new boolean[count];
    for (int i = 0; i < count; i++) {
      packed.add(Any.pack(details.get(i)));
      kept[i] = true;
    }
    boolean sameText = localized != null && localized.getMessage().equals(description);
    String desc = description;
    @Nullable LocalizedMessage local = localized;
    int available = budget - fixedBytes - GRPC_STATUS_ENTRY;
    if (cost(code, desc, local, packed, kept) <= available) {
      return new Fitted(desc, proto(code, desc, local, packed, kept));
    }
    desc = truncate(desc, budget / 4, 1, sameText ? 2 : 1);
    if (local != null) {
      String text = sameText ? desc : truncate(local.getMessage(), budget / 4, 0, 1);
      local = local.toBuilder().setMessage(text).build();
    }
    for (int rank = 0; rank <= 6 && cost(code, desc, local, packed, kept) > available; rank++) {
      for (int i = count - 1; i >= 0 && cost(code, desc, local, packed, kept) > available; i--) {
        if (kept[i] && rank(details.get(i)) == rank) {
          kept[i] = false;
        }
      }
      if (rank == 6) {
        local = null;
      }
    }
    int over = cost(code, desc, local, packed, kept) - available;
    while (over > 0 && !desc.isEmpty()) {
      int shorter = truncatedCost(desc, 1, 1) - over;
      String next = truncate(desc, shorter, 1, 1);
      desc = next.length() < desc.length() ? next : "";
      over = cost(code, desc, local, packed, kept) - available;
    }
    com.google.rpc.Status status = proto(code, desc, local, packed, kept);
    if (over > 0 || (local == null && status.getDetailsCount() == 0)) {
      return new Fitted(desc, null);
    }
    return new Fitted(desc, status);
  }

  /** Bytes that the entries of {@code trailers} take (name + encoded value + 32 each). */
  static int sizeOf(Metadata trailers) {
    int size = 0;
    for (String name : trailers.keys()) {
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] value :
            trailers.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER))) {
          size += name.length() + base64Length(value.length) + ENTRY_OVERHEAD;
        }
      } else {
        for (String value :
            trailers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER))) {
          size += name.length() + value.length() + ENTRY_OVERHEAD;
        }
      }
    }
    return size;
  }

  /** Length of {@code text} as grpc-java percent-encodes it in {@code grpc-message}. */
  static int percentEncodedLength(String text) {
    int length = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      length += percentLength(cp);
      i += Character.charCount(cp);
    }
    return length;
  }

  /** Length of base64 without padding, as grpc-java sends binary metadata. */
  static int base64Length(int bytes) {
    return (bytes * 4 + 2) / 3;
  }

  private static int cost(
      Status.Code code,
      String desc,
      @Nullable LocalizedMessage local,
      List<Any> packed,
      boolean[] kept) {
    int message = desc.isEmpty() ? 0 : GRPC_MESSAGE_NAME + percentEncodedLength(desc);
    int proto = CodedOutputStream.computeInt32Size(1, code.value());
    if (!desc.isEmpty()) {
      proto += CodedOutputStream.computeStringSize(2, desc);
    }
    boolean any = false;
    for (int i = 0; i < kept.length; i++) {
      if (kept[i]) {
        proto += CodedOutputStream.computeMessageSize(3, packed.get(i));
        any = true;
      }
    }
    if (local != null) {
      proto += CodedOutputStream.computeMessageSize(3, Any.pack(local));
      any = true;
    }
    return message + (any ? DETAILS_NAME + base64Length(proto) : 0);
  }

  private static com.google.rpc.Status proto(
      Status.Code code,
      String desc,
      @Nullable LocalizedMessage local,
      List<Any> packed,
      boolean[] kept) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(desc);
    for (int i = 0; i < kept.length; i++) {
      if (kept[i]) {
        status.addDetails(packed.get(i));
      }
    }
    if (local != null) {
      status.addDetails(Any.pack(local));
    }
    return status.build();
  }

  /** Drop order: lower ranks go first; the LocalizedMessage (rank 6) goes last. */
  private static int rank(Message detail) {
    if (detail instanceof ErrorInfo) {
      return 5;
    } else if (detail instanceof RetryInfo) {
      return 4;
    } else if (detail instanceof BadRequest) {
      return 3;
    } else if (detail instanceof PreconditionFailure) {
      return 2;
    } else if (detail instanceof ResourceInfo) {
      return 1;
    }
    return 0;
  }

  /**
   * Cuts {@code text} on a code-point boundary, appending "...", so that its cost is at most {@code
   * max}; cost = percentWeight * percent-encoded length + base64 of UTF-8 length * copies.
   */
  static String truncate(String text, int max, int percentWeight, int copies) {
    if (truncatedCost(text, percentWeight, copies) <= max) {
      return text;
    }
    int suffix = truncatedCost(ELLIPSIS, percentWeight, copies);
    int percent = 0;
    int utf8 = 0;
    int end = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      percent += percentLength(cp) * percentWeight;
      utf8 += utf8Length(cp);
      if (percent + base64Length(utf8 * copies) + suffix > max) {
        break;
      }
      i += Character.charCount(cp);
      end = i;
    }
    return suffix > max ? "" : text.substring(0, end) + ELLIPSIS;
  }

  private static int truncatedCost(String text, int percentWeight, int copies) {
    int percent = 0;
    int utf8 = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      percent += percentLength(cp) * percentWeight;
      utf8 += utf8Length(cp);
      i += Character.charCount(cp);
    }
    return percent + base64Length(utf8 * copies);
  }

  /**
   * Bytes of {@code cp} in {@code grpc-message}: grpc-java percent-encodes every UTF-8 byte below
   * {@code ' '}, from {@code '~'} up, and {@code '%'} itself ({@code Status}'s message marshaller).
   */
  private static int percentLength(int cp) {
    if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
      return 1; // an unpaired surrogate is encoded as '?', which is sent as is
    }
    return cp >= ' ' && cp < '~' && cp != '%' ? 1 : 3 * utf8Length(cp);
  }

  /** UTF-8 bytes of {@code cp}; an unpaired surrogate is encoded as {@code '?'}, one byte. */
  private static int utf8Length(int cp) {
    if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
      return 1;
    }
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
}

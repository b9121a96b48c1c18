package io.github.grpcmiddleware.testsupport;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Sends and receives messages as raw bytes, so a test can put on the wire what no generated stub
 * would (a request that does not decode, say). Not final: a test overrides {@link #parse} or {@link
 * #stream} to make one side fail.
 */
public class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
  /** A unary method of raw bytes both ways, named {@code fullMethodName} ("service/Method"). */
  public static MethodDescriptor<byte[], byte[]> unary(String fullMethodName) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullMethodName)
        .setRequestMarshaller(new RawBytes())
        .setResponseMarshaller(new RawBytes())
        .build();
  }

  @Override
  public InputStream stream(byte[] value) {
    return new ByteArrayInputStream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

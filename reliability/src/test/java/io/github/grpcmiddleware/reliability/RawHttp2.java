package io.github.grpcmiddleware.reliability;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A hostile HTTP/2 client on a plain socket: it writes exactly the frames a test asks for (HEADERS
 * without END_HEADERS, RST_STREAM storms, streams past the limit), and a reader thread collects
 * what the server sends and notices when it closes the connection. Header blocks are HPACK literals
 * without indexing, so no encoder state is needed.
 */
final class RawHttp2 implements AutoCloseable {
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;

  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  static final int END_HEADERS = 0x4;

  static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;

  static final int CANCEL = 0x8;
  static final int REFUSED_STREAM = 0x7;
  static final int ENHANCE_YOUR_CALM = 0xb;

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** One frame the server sent. */
  record Frame(int type, int flags, int streamId, byte[] payload) {
    /** The error code of a GOAWAY or RST_STREAM frame. */
    int errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return readInt(payload, at);
    }

    /** The value of one setting of a SETTINGS frame, or -1. */
    long setting(int id) {
      for (int i = 0; i + 6 <= payload.length; i += 6) {
        int key = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
        if (key == id) {
          return readInt(payload, i + 2) & 0xffffffffL;
        }
      }
      return -1;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final boolean answerPings;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final List<Frame> seen = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Object acks = new Object();
  private volatile boolean goAwayReceived;
  private volatile String closeReason = "open";
  private boolean prefaceSent;
  private int settingsSent;
  private int settingsAcked;
  private boolean unackedSettings;

  private RawHttp2(Socket socket, boolean answerPings, boolean read) throws IOException {
    this.socket = socket;
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    this.answerPings = answerPings;
    if (read) {
      Thread reader = new Thread(this::readLoop, "raw-http2-reader");
      reader.setDaemon(true);
      reader.start();
    }
  }

  /**
   * Opens a TCP connection and sends nothing yet.
   *
   * @param answerPings whether the client answers the server's PINGs (a live but idle peer does; a
   *     dead one does not)
   */
  static RawHttp2 connect(int port, boolean answerPings) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setTcpNoDelay(true);
    return new RawHttp2(socket, answerPings, true);
  }

  /**
   * Opens a TCP connection that the client never reads, with a small receive buffer: no reader
   * thread, so nothing the server sends is taken off the socket after {@link #readServerSettings}
   * (PINGs go unanswered, responses pile up in the server).
   */
  static RawHttp2 connectNeverReading(int port) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setTcpNoDelay(true);
    return new RawHttp2(socket, false, false);
  }

  /**
   * For a never-reading connection, after {@link #preface}: reads frames until the server's
   * SETTINGS, acknowledges it and returns it; nothing is read after that.
   */
  Frame readServerSettings(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    DataInputStream in = new DataInputStream(socket.getInputStream());
    while (true) {
      Frame frame = readFrame(in);
      if (frame.type() == SETTINGS && (frame.flags() & ACK) == 0) {
        synchronized (this) {
          frame(SETTINGS, ACK, 0, new byte[0]);
          out.flush();
        }
        return frame;
      }
    }
  }

  /** Sends the connection preface and a SETTINGS frame with the given id/value pairs. */
  synchronized void preface(int... settings) throws IOException {
    out.write(PREFACE);
    byte[] payload = new byte[settings.length * 3];
    for (int i = 0; i + 1 < settings.length; i += 2) {
      int at = i * 3;
      payload[at] = (byte) (settings[i] >> 8);
      payload[at + 1] = (byte) settings[i];
      writeInt(payload, at + 2, settings[i + 1]);
    }
    frame(SETTINGS, 0, 0, payload);
    if (unackedSettings) {
      frame(SETTINGS, ACK, 0, new byte[0]);
      unackedSettings = false;
    }
    out.flush();
    prefaceSent = true;
    settingsSent++;
  }

  /**
   * Sends an empty SETTINGS frame and waits for the server's ACK of it: the server has then read
   * everything sent before. (A PING would do the same, but grpc-java answers frequent PINGs with
   * GOAWAY {@code too_many_pings}.) Returns false when the connection closed or the wait timed out.
   */
  boolean barrier(Duration timeout) throws IOException, InterruptedException {
    int expected;
    synchronized (this) {
      frame(SETTINGS, 0, 0, new byte[0]);
      out.flush();
      expected = ++settingsSent;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (acks) {
      while (settingsAcked < expected && closed.getCount() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(acks, left);
      }
      return settingsAcked >= expected;
    }
  }

  /** A gRPC request header block for {@code path}, plus the extra name/value pairs. */
  static byte[] requestHeaders(String path, String... extra) {
    List<String> pairs = new ArrayList<>();
    for (String p :
        new String[] {
          ":method", "POST",
          ":scheme", "http",
          ":path", path,
          ":authority", "127.0.0.1",
          "content-type", "application/grpc",
          "te", "trailers"
        }) {
      pairs.add(p);
    }
    for (String p : extra) {
      pairs.add(p);
    }
    java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
    for (int i = 0; i + 1 < pairs.size(); i += 2) {
      block.write(0); // literal header field without indexing, new name
      writeString(block, pairs.get(i));
      writeString(block, pairs.get(i + 1));
    }
    return block.toByteArray();
  }

  /** Sends one HEADERS frame. */
  synchronized void headers(int streamId, byte[] block, boolean endHeaders, boolean endStream)
      throws IOException {
    frame(HEADERS, (endHeaders ? END_HEADERS : 0) | (endStream ? END_STREAM : 0), streamId, block);
  }

  /** Sends one DATA frame. */
  synchronized void data(int streamId, byte[] payload, boolean endStream) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, streamId, payload);
  }

  /** Sends one RST_STREAM frame. */
  synchronized void rstStream(int streamId, int errorCode) throws IOException {
    byte[] payload = new byte[4];
    writeInt(payload, 0, errorCode);
    frame(RST_STREAM, 0, streamId, payload);
  }

  /** Sends a PING; its ACK shows the server has read everything sent before it. */
  synchronized void ping(long data) throws IOException {
    byte[] payload = new byte[8];
    writeInt(payload, 0, (int) (data >>> 32));
    writeInt(payload, 4, (int) data);
    frame(PING, 0, 0, payload);
    out.flush();
  }

  /** A gRPC length-prefixed message (uncompressed). */
  static byte[] grpcMessage(byte[] message) {
    return grpcMessage(false, message.length, message);
  }

  /**
   * A gRPC message prefix with any compressed flag and announced length, followed by {@code body}
   * (which need not match the announced length).
   */
  static byte[] grpcMessage(boolean compressed, int announcedLength, byte[] body) {
    byte[] framed = new byte[5 + body.length];
    framed[0] = (byte) (compressed ? 1 : 0);
    writeInt(framed, 1, announcedLength);
    System.arraycopy(body, 0, framed, 5, body.length);
    return framed;
  }

  /** Sends one frame of any type, as it is (protocol errors on purpose). */
  synchronized void rawFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
    frame(type, flags, streamId, payload);
  }

  /** Writes buffered frames to the socket. */
  synchronized void flush() throws IOException {
    out.flush();
  }

  /** Whether a GOAWAY frame has arrived. */
  boolean goAwayReceived() {
    return goAwayReceived;
  }

  /** Waits for the first frame, from now on or already received, that matches; null on timeout. */
  @Nullable Frame await(Predicate<Frame> match, Duration timeout) throws InterruptedException {
    synchronized (seen) {
      for (Frame f : seen) {
        if (match.test(f)) {
          return f;
        }
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Frame f = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
      if (f == null) {
        return null;
      }
      if (match.test(f)) {
        return f;
      }
    }
  }

  /** Every frame of a type received so far. */
  List<Frame> received(int type) {
    List<Frame> result = new ArrayList<>();
    synchronized (seen) {
      for (Frame f : seen) {
        if (f.type() == type) {
          result.add(f);
        }
      }
    }
    return result;
  }

  /** How the connection ended, for the test's figures. */
  String closeReason() {
    return closeReason;
  }

  /** Waits until the server closes the connection; false on timeout. */
  boolean awaitClosed(Duration timeout) throws InterruptedException {
    return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private void readLoop() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        Frame frame = readFrame(in);
        int type = frame.type();
        int flags = frame.flags();
        byte[] payload = frame.payload();
        if (type == SETTINGS && (flags & ACK) == 0) {
          synchronized (this) {
            // Before the preface a silent client sends nothing at all, not even this ACK.
            if (prefaceSent) {
              frame(SETTINGS, ACK, 0, new byte[0]);
              out.flush();
            } else {
              unackedSettings = true;
            }
          }
        } else if (type == PING && (flags & ACK) == 0 && answerPings) {
          synchronized (this) {
            frame(PING, ACK, 0, payload);
            out.flush();
          }
        } else if (type == SETTINGS) {
          synchronized (acks) {
            settingsAcked++;
            acks.notifyAll();
          }
        } else if (type == GOAWAY) {
          goAwayReceived = true;
        }
        synchronized (seen) {
          seen.add(frame);
        }
        frames.add(frame);
      }
    } catch (EOFException e) {
      closeReason = "end of stream";
    } catch (IOException e) {
      closeReason = e.toString(); // reset by the server, or closed by the test
    } finally {
      closed.countDown();
      synchronized (acks) {
        acks.notifyAll();
      }
    }
  }

  private static Frame readFrame(DataInputStream in) throws IOException {
    int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int streamId = in.readInt() & 0x7fffffff;
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(type, flags, streamId, payload);
  }

  private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    byte[] id = new byte[4];
    writeInt(id, 0, streamId);
    out.write(id);
    out.write(payload);
  }

  private static void writeString(java.io.ByteArrayOutputStream block, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
    writeHpackInt(block, bytes.length);
    block.write(bytes, 0, bytes.length);
  }

  private static void writeHpackInt(java.io.ByteArrayOutputStream block, int value) {
    if (value < 127) {
      block.write(value);
      return;
    }
    block.write(127);
    int rest = value - 127;
    while (rest >= 128) {
      block.write((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    block.write(rest);
  }

  private static void writeInt(byte[] to, int at, int value) {
    to[at] = (byte) (value >>> 24);
    to[at + 1] = (byte) (value >>> 16);
    to[at + 2] = (byte) (value >>> 8);
    to[at + 3] = (byte) value;
  }

  private static int readInt(byte[] from, int at) {
    return ((from[at] & 0xff) << 24)
        | ((from[at + 1] & 0xff) << 16)
        | ((from[at + 2] & 0xff) << 8)
        | (from[at + 3] & 0xff);
  }
}

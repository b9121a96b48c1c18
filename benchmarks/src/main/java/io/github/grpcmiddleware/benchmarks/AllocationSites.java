package io.github.grpcmiddleware.benchmarks;

import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Prints where each byte of an in-process unary call goes, exactly: for each stack named after the
 * first (the baseline, usually {@code bare}), the allocation sites whose bytes per call differ from
 * the baseline's, largest first. {@link AllocationProbe} says how many bytes a stack costs; this
 * says which objects they are.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar \
 *   io.github.grpcmiddleware.benchmarks.AllocationSites bare chain
 * }</pre>
 *
 * <p>How: each stack runs in a JVM of its own (as in {@link AllocationProbe}, which stacks ran
 * before changes what the JIT's escape analysis removes) with thread-local allocation buffers off
 * ({@code -XX:-UseTLAB}), so that every allocation the compiled code still makes is a JFR {@code
 * jdk.ObjectAllocationOutsideTLAB} event with its exact size and stack. JFR's sampled allocation
 * events would attribute a whole buffer's bytes to whichever object happened to fill it. A site is
 * the object's class, its first three frames and the first frame of the library on its stack; calls
 * warm up first (escape analysis needs C2) and only the measured calls' events on the calling
 * thread count. Differences are netted by class first, so an object both stacks make, from
 * different callers, cancels out. The totals come out within about 2% of {@link AllocationProbe}'s
 * (the JIT decides a little differently from run to run).
 */
public final class AllocationSites {

  private static final String CHILD = "--child";
  private static final int DEPTH = 3;

  /** Separates an object's class from where it was allocated in a site's key. */
  private static final String SITE = " <- ";

  private AllocationSites() {}

  /**
   * Measures each stack in a forked JVM and prints the sites that differ from the first stack's.
   *
   * @param args the baseline stack, then the stacks to compare (see {@code Stack}); system property
   *     {@code calls} sets the measured calls (default 20,000), after 200,000 to warm up
   * @throws Exception when a stack fails to run
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(CHILD)) {
      child(args[1], Integer.parseInt(args[2]), Path.of(args[3]));
      return;
    }
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: AllocationSites <baseline stack> <stack>...");
    }
    int calls = Integer.getInteger("calls", 20_000);
    Map<String, Double> baseline = fork(args[0], calls);
    System.out.printf(Locale.ROOT, "%s: %,.0f B/call in all%n%n", args[0], total(baseline));
    for (int i = 1; i < args.length; i++) {
      Map<String, Double> sites = fork(args[i], calls);
      double total = total(sites);
      System.out.printf(
          Locale.ROOT,
          "%s: %,.0f B/call in all, %+,.0f over %s%n",
          args[i],
          total,
          total - total(baseline),
          args[0]);
      printDifferences(sites, baseline);
      System.out.println();
    }
  }

  /**
   * Prints, for each class whose bytes per call differ, the difference, then the sites that make
   * it. Objects that both stacks allocate from a different caller net out by class: only what one
   * stack allocates more of is shown.
   */
  private static void printDifferences(Map<String, Double> sites, Map<String, Double> baseline) {
    Map<String, Double> byClass = new HashMap<>();
    Map<String, Map<String, Double>> bySite = new HashMap<>();
    Set<String> keys = new HashSet<>(sites.keySet());
    keys.addAll(baseline.keySet());
    for (String key : keys) {
      double difference = sites.getOrDefault(key, 0.0) - baseline.getOrDefault(key, 0.0);
      String type = key.substring(0, key.indexOf(SITE));
      byClass.merge(type, difference, Double::sum);
      bySite
          .computeIfAbsent(type, t -> new HashMap<>())
          .merge(key.substring(type.length()), difference, Double::sum);
    }
    List<Map.Entry<String, Double>> classes = new ArrayList<>(byClass.entrySet());
    classes.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
    for (Map.Entry<String, Double> type : classes) {
      if (Math.abs(type.getValue()) < 1) {
        continue;
      }
      System.out.printf(Locale.ROOT, "%+8.1f  %s%n", type.getValue(), type.getKey());
      List<Map.Entry<String, Double>> typeSites =
          new ArrayList<>(bySite.getOrDefault(type.getKey(), Map.of()).entrySet());
      typeSites.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
      for (Map.Entry<String, Double> site : typeSites) {
        if (Math.abs(site.getValue()) >= 1) {
          System.out.printf(Locale.ROOT, "          %+8.1f %s%n", site.getValue(), site.getKey());
        }
      }
    }
  }

  private static double total(Map<String, Double> sites) {
    double total = 0;
    for (double bytes : sites.values()) {
      total += bytes;
    }
    return total;
  }

  /** Runs one stack in a JVM of its own; returns bytes per call by site. */
  private static Map<String, Double> fork(String stack, int calls)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("allocation-sites-" + stack, ".tsv");
    try {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process =
          new ProcessBuilder(
                  java,
                  "-XX:-UseTLAB",
                  "-cp",
                  System.getProperty("java.class.path"),
                  AllocationSites.class.getName(),
                  CHILD,
                  stack,
                  Integer.toString(calls),
                  out.toString())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(stack + ": did not finish in 10 minutes");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(stack + ": exited " + process.exitValue());
      }
      Map<String, Double> sites = new HashMap<>();
      try (BufferedReader reader = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          int tab = line.indexOf('\t');
          sites.put(line.substring(tab + 1), Double.parseDouble(line.substring(0, tab)));
        }
      }
      return sites;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The forked JVM: warms the stack up, records the measured calls, writes bytes per site. */
  private static void child(String name, int calls, Path out) throws Exception {
    SimpleRequest request = SimpleRequest.newBuilder().setRequestMessage("hello").build();
    Stack stack = Stack.create(name);
    Endpoint endpoint = Endpoint.inProcess(stack);
    Path recordingFile = Files.createTempFile("allocation-sites-" + name, ".jfr");
    Map<String, Long> bytes = new HashMap<>();
    try {
      SimpleServiceGrpc.SimpleServiceBlockingStub stub =
          SimpleServiceGrpc.newBlockingStub(endpoint.channel);
      Checks.echoed(stub.unaryRpc(request));
      for (int i = 0; i < 200_000; i++) {
        stub.unaryRpc(request);
      }
      long thread = Thread.currentThread().getId();
      try (Recording recording = new Recording()) {
        recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
        recording.start();
        for (int i = 0; i < calls; i++) {
          stub.unaryRpc(request);
        }
        recording.stop();
        recording.dump(recordingFile);
      }
      for (RecordedEvent event : RecordingFile.readAllEvents(recordingFile)) {
        if (event.getThread() != null && event.getThread().getJavaThreadId() == thread) {
          bytes.merge(site(event), event.getLong("allocationSize"), Long::sum);
        }
      }
    } finally {
      endpoint.close();
      stack.close();
      Files.deleteIfExists(recordingFile);
    }
    try (PrintWriter writer =
        new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
      bytes.forEach(
          (site, total) -> writer.printf(Locale.ROOT, "%.2f\t%s%n", (double) total / calls, site));
    }
  }

  /**
   * The object's class, its first frames and the first frame of the library on its stack, without
   * line numbers or the numbers of hidden classes, so that the same site matches across stacks and
   * builds.
   */
  private static String site(RecordedEvent event) {
    StringBuilder site = new StringBuilder(simpleName(event.getClass("objectClass").getName()));
    site.append(SITE);
    RecordedStackTrace trace = event.getStackTrace();
    List<RecordedFrame> frames = trace == null ? List.of() : trace.getFrames();
    int shown = 0;
    String library = null;
    for (RecordedFrame frame : frames) {
      String type = frame.getMethod().getType().getName();
      if (library == null
          && type.startsWith("io.github.grpcmiddleware.")
          && !type.startsWith("io.github.grpcmiddleware.benchmarks.")) {
        library = simpleName(type) + "." + frame.getMethod().getName();
      }
      if (shown == DEPTH || type.contains("$$Lambda") || type.startsWith("java.lang.invoke.")) {
        continue; // lambda forms differ by name between JVMs
      }
      site.append(shown == 0 ? "" : " < ")
          .append(simpleName(type))
          .append('.')
          .append(frame.getMethod().getName());
      shown++;
    }
    if (library != null) {
      site.append("  [via ").append(library).append(']');
    }
    return site.toString();
  }

  /** The class's name without its package; a lambda's class without its number. */
  private static String simpleName(String type) {
    int lambda = type.indexOf("$$Lambda");
    String name = lambda < 0 ? type : type.substring(0, lambda + "$$Lambda".length());
    return name.substring(name.lastIndexOf('.') + 1);
  }
}

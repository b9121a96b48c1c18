package io.github.grpcmiddleware.internal;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This class is internal and is hence not for public use. Its APIs are unstable and can change at
 * any time.
 *
 * <p>Which parts of a pipeline run on a call that another pipeline opened (a per-service chain
 * inside a server-wide one, a chain installed twice). A part whose kind already runs passes
 * through: silently when it is the same instance, with one WARN naming both installations when it
 * is another instance of a record-keeping kind; another instance of the other kinds runs too (see
 * {@link ServerPart}).
 */
final class Joins {
  private static final Logger logger = LoggerFactory.getLogger(ServerPipeline.class);

  private Joins() {}

  /** Joins {@code pipeline} to the call; returns the mask of its parts that run. */
  static int join(ServerCallScope scope, ServerPipeline pipeline) {
    int running = 0;
    List<String> twice = null;
    ServerPipeline first = null;
    ServerPart[] parts = pipeline.parts;
    for (int i = 0; i < parts.length; i++) {
      ServerPart part = parts[i];
      ServerPipeline other = runningKind(scope, part);
      if (other == null) {
        running |= 1 << i;
      } else if (other.partOfKind(part.kind()) == part) {
        continue; // the same instance, installed twice
      } else if (part.runsPerInstance()) {
        if (!hasInstance(scope, part)) {
          running |= 1 << i;
        }
      } else if (!pipeline.warnedTwice()) {
        if (twice == null) {
          twice = new ArrayList<>();
          first = other;
        }
        twice.add(part.describe());
      }
    }
    if (twice != null && first != null && pipeline.firstWarningOfTwice()) {
      logger.warn(
          "{} {} twice on {}: installed in {} and again in {}; each runs once, in the first."
              + " Keep one installation (a per-service chain needs no tracing, access log, metrics"
              + " or error mapping of its own when a server-wide chain has them).",
          String.join(", ", twice),
          twice.size() == 1 ? "runs" : "run",
          scope.fullMethodName(),
          first.name(),
          pipeline.name());
    }
    add(scope, pipeline);
    return running;
  }

  /** The first pipeline on the call with a part of {@code part}'s kind, or null. */
  private static @Nullable ServerPipeline runningKind(ServerCallScope scope, ServerPart part) {
    ServerPipeline owner = scope.owner;
    if (owner != null && owner.partOfKind(part.kind()) != null) {
      return owner;
    }
    CallExtras extras = scope.extrasOrNull();
    if (extras == null) {
      return null;
    }
    ServerPipeline joined = extras.joined;
    if (joined != null && joined.partOfKind(part.kind()) != null) {
      return joined;
    }
    ServerPipeline[] more = extras.moreJoined;
    for (int i = 0; more != null && i < more.length; i++) {
      if (more[i].partOfKind(part.kind()) != null) {
        return more[i];
      }
    }
    return null;
  }

  private static boolean hasInstance(ServerCallScope scope, ServerPart part) {
    ServerPipeline owner = scope.owner;
    if (owner != null && owner.partOfKind(part.kind()) == part) {
      return true;
    }
    CallExtras extras = scope.extrasOrNull();
    if (extras == null) {
      return false;
    }
    ServerPipeline joined = extras.joined;
    if (joined != null && joined.partOfKind(part.kind()) == part) {
      return true;
    }
    ServerPipeline[] more = extras.moreJoined;
    for (int i = 0; more != null && i < more.length; i++) {
      if (more[i].partOfKind(part.kind()) == part) {
        return true;
      }
    }
    return false;
  }

  private static void add(ServerCallScope scope, ServerPipeline pipeline) {
    CallExtras extras = scope.extras();
    if (extras.joined == null) {
      extras.joined = pipeline;
      return;
    }
    ServerPipeline[] more = extras.moreJoined;
    ServerPipeline[] grown = new ServerPipeline[more == null ? 1 : more.length + 1];
    if (more != null) {
      System.arraycopy(more, 0, grown, 0, more.length);
    }
    grown[grown.length - 1] = pipeline;
    extras.moreJoined = grown;
  }
}

package io.github.grpcmiddleware.limits;

import io.github.grpcmiddleware.internal.LibraryThreads;
import java.util.ArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times capped calls until their cap passes.
 *
 * <p>The default is a {@link Lane} per configured cap, all served by one daemon thread for the JVM.
 * Every call of a lane has the same cap, so its calls expire in the order they started: a lane is a
 * linked list in start order, the calls themselves are its nodes, and starting or ending a call is
 * a link or an unlink under one lock, with no task object per call and no wake-up of the timer
 * thread (it sleeps until the earliest first call of the lanes is due, and is woken only when a new
 * call is due before that, which a lane's next call never is). A {@code
 * ScheduledThreadPoolExecutor} allocates a task per call and signals its thread whenever the new
 * task is its first: on a server where calls end long before their cap, that is a thread wake-up
 * per call (LimitsBenchmark, see docs/limits.md "Cost").
 *
 * <p>With {@link LimitsServerBuilder#scheduler} the application's scheduler runs one task per call
 * instead.
 */
abstract class CapTimer {
  private static final Logger logger = LoggerFactory.getLogger(CapTimer.class);

  /** Starts timing {@code call}: it expires {@code call.capNanos} from now. */
  abstract void start(LimitedCall call);

  /** Stops timing {@code call}, if it still is; never throws. */
  abstract void stop(LimitedCall call);

  /** A timer for the calls of one cap on the JVM's lane thread. */
  static CapTimer newLane() {
    return new Lane();
  }

  /** A timer on the application's scheduler. */
  static CapTimer on(ScheduledExecutorService scheduler) {
    return new OnScheduler(scheduler);
  }

  private static final class OnScheduler extends CapTimer {
    private final ScheduledExecutorService scheduler;

    OnScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
    }

    @Override
    void start(LimitedCall call) {
      call.scheduled = scheduler.schedule(call, call.capNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void stop(LimitedCall call) {
      ScheduledFuture<?> task = call.scheduled;
      if (task != null) {
        task.cancel(false);
      }
    }
  }

  /** The calls of one cap, in start order. */
  static final class Lane extends CapTimer {
    // Guarded by Clock.LOCK.
    private @Nullable LimitedCall head;
    private @Nullable LimitedCall tail;
    private boolean active;

    @Override
    void start(LimitedCall call) {
      Clock.add(this, call, System.nanoTime() + call.capNanos);
    }

    @Override
    void stop(LimitedCall call) {
      synchronized (Clock.LOCK) {
        if (call.timed) {
          unlink(call);
          if (head == null) {
            Clock.deactivate(this);
          }
        }
      }
    }

    /** How many calls the lane times; for tests. */
    int size() {
      synchronized (Clock.LOCK) {
        int size = 0;
        for (LimitedCall call = head; call != null; call = call.timerNext) {
          size++;
        }
        return size;
      }
    }

    /** Links {@code call} by its due time; from the tail, where a lane's next call belongs. */
    void link(LimitedCall call) {
      LimitedCall before = tail;
      while (before != null && before.dueNanos - call.dueNanos > 0) {
        before = before.timerPrev;
      }
      LimitedCall after = before == null ? head : before.timerNext;
      join(before, call);
      join(call, after);
      call.timed = true;
    }

    void unlink(LimitedCall call) {
      join(call.timerPrev, call.timerNext);
      call.timerPrev = null;
      call.timerNext = null;
      call.timed = false;
    }

    /** Makes {@code second} follow {@code first}; null stands for the lane's ends. */
    private void join(@Nullable LimitedCall first, @Nullable LimitedCall second) {
      if (first == null) {
        head = second;
      } else {
        first.timerNext = second;
      }
      if (second == null) {
        tail = first;
      } else {
        second.timerPrev = first;
      }
    }
  }

  /**
   * The one thread of every lane, started on first use and ended after {@link #IDLE_EXIT_NANOS}
   * with no call to time (so a redeployed application does not keep it, nor its class loader). A
   * thread that dies (an {@code Error}) hands over to a new one while calls are timed. It is a
   * {@link LibraryThreads} thread: nothing of the request thread that started it (context class
   * loader, MDC, access control context) stays with it.
   */
  private static final class Clock implements Runnable {
    /** How long the thread waits with nothing to time before it ends. */
    static final long IDLE_EXIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    static final Object LOCK = new Object();

    // Guarded by LOCK.
    private static final ArrayList<Lane> lanes = new ArrayList<>();
    private static @Nullable Thread thread;

    /** Whether the thread sleeps until woken (no call is timed). */
    private static boolean idle = true;

    /** When the thread looks next, unless {@link #idle}. */
    private static long wakeAt;

    private Clock() {}

    static void add(Lane lane, LimitedCall call, long due) {
      Thread wake;
      synchronized (LOCK) {
        // Started first: if no thread can be started, the call is not linked and the caller fails
        // it (its permits are released), rather than being timed by nobody.
        Thread running = ensureThread();
        call.dueNanos = due;
        lane.link(call);
        if (!lane.active) {
          lane.active = true;
          lanes.add(lane);
        }
        wake = null;
        if (idle || due - wakeAt < 0) {
          idle = false;
          wakeAt = due;
          wake = running;
        }
      }
      if (wake != null) {
        LockSupport.unpark(wake);
      }
    }

    /** Returns the running thread, starting one if there is none; called holding LOCK. */
    private static Thread ensureThread() {
      Thread running = thread;
      if (running == null) {
        running = LibraryThreads.newThread(new Clock(), "grpcmiddleware-deadline-cap");
        running.start();
        thread = running; // published only once it runs
      }
      return running;
    }

    static void deactivate(Lane lane) {
      lane.active = false;
      lanes.remove(lane);
    }

    @Override
    public void run() {
      try {
        loop();
      } finally {
        synchronized (LOCK) {
          if (thread == Thread.currentThread()) {
            thread = null;
            idle = true;
            if (!lanes.isEmpty()) {
              try {
                ensureThread(); // a new thread looks at once
              } catch (RuntimeException | Error e) {
                logger.error(
                    "no thread left to expire capped calls; the next capped call retries", e);
              }
            }
          }
        }
      }
    }

    private void loop() {
      ArrayList<LimitedCall> due = new ArrayList<>();
      while (true) {
        // An interrupt would make every park return at once: it only means "look now".
        Thread.interrupted();
        long sleep;
        synchronized (LOCK) {
          long now = System.nanoTime();
          long next = 0;
          boolean waiting = false;
          for (int i = lanes.size() - 1; i >= 0; i--) {
            Lane lane = lanes.get(i);
            LimitedCall first;
            while ((first = lane.head) != null && first.dueNanos - now <= 0) {
              lane.unlink(first);
              due.add(first);
            }
            if (first == null) {
              deactivate(lane);
            } else if (!waiting || first.dueNanos - next < 0) {
              next = first.dueNanos;
              waiting = true;
            }
          }
          if (!due.isEmpty()) {
            sleep = 0;
          } else if (waiting) {
            idle = false;
            wakeAt = next;
            sleep = next - now;
          } else {
            idle = true;
            sleep = -1;
          }
        }
        Error fatal = null;
        for (LimitedCall call : due) {
          try {
            call.expire();
          } catch (RuntimeException e) {
            // A Context listener of the application threw: the other calls must still expire.
            logger.warn("Expiring a capped call failed; the other calls expire as planned", e);
          } catch (Error e) {
            if (fatal == null) {
              fatal = e;
            }
          }
        }
        due.clear();
        if (fatal != null) {
          throw fatal; // after the batch; run() hands over to a new thread
        }
        if (sleep > 0) {
          LockSupport.parkNanos(this, sleep);
        } else if (sleep < 0) {
          LockSupport.parkNanos(this, IDLE_EXIT_NANOS);
          synchronized (LOCK) {
            if (idle && lanes.isEmpty()) {
              thread = null; // add() starts a new one when a call needs it
              return;
            }
          }
        }
      }
    }
  }
}

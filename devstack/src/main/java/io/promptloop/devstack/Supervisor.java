package io.promptloop.devstack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the dev stack's children running: each one it watches is reported the moment its process ends (one line:
 * which, how it ended, where its log is) and started again, on the same ports and data, after an exponential
 * back-off — {@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF}, back to the first once a child has stayed up
 * {@link #STABLE_AFTER}. After {@link #GIVE_UP_AFTER} starts in a row that failed or did not stay up that long, it
 * gives that child up (one line says so) and the rest of the stack keeps running. {@link #stopWatching()} ends all of this before the stack
 * stops its children, and interrupts a start in progress.
 */
final class Supervisor {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    static final Duration STABLE_AFTER = Duration.ofSeconds(60);
    static final int GIVE_UP_AFTER = 10;

    /** How long {@link #stopWatching()} waits for a start in progress to give up after its interruption. */
    private static final Duration RESTART_ABORT_WAIT = Duration.ofSeconds(10);

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    /** A process the dev stack started and can start again. */
    interface Child {

        String name();

        /** Starts it again on the same ports and data and waits until it serves; throws if it does not. */
        void restart();

        /** Its process while it runs (or until its death is noticed); empty when stopped. */
        Optional<ProcessHandle> process();

        /** How its last process ended: {@code exit code 1}, {@code killed by signal 9 (SIGKILL), ...}. */
        String exitDescription();

        Path logFile();
    }

    /**
     * When to start a dead child again, and when to give it up.
     *
     * @param first the back-off after the first death
     * @param max the longest back-off
     * @param stableAfter a child up this long starts over at {@code first}
     * @param giveUpAfter starts in a row that failed or did not stay up {@code stableAfter}, after which it is
     *     given up
     */
    record Policy(Duration first, Duration max, Duration stableAfter, int giveUpAfter) {

        static final Policy DEFAULT = new Policy(FIRST_BACKOFF, MAX_BACKOFF, STABLE_AFTER, GIVE_UP_AFTER);

        /** {@code first} × 2^failures, at most {@code max}. */
        Duration backoff(int failures) {
            long millis = first.toMillis() << Math.min(failures, 20);
            return Duration.ofMillis(Math.min(millis, max.toMillis()));
        }
    }

    private final PrintStream out;
    private final Policy policy;
    private final ScheduledExecutorService restarts;
    private volatile boolean stopping;

    Supervisor(PrintStream out) {
        this(out, Policy.DEFAULT);
    }

    Supervisor(PrintStream out, Policy policy) {
        this.out = out;
        this.policy = policy;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(
                2, Thread.ofPlatform().daemon().name("devstack-restart-", 0).factory());
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.restarts = executor;
    }

    /** Watches {@code child}, which has just been started. */
    void watch(Child child) {
        child.process().ifPresent(process -> watch(child, process, System.nanoTime(), 0));
    }

    /**
     * Stops restarting: what is scheduled is dropped and a start in progress is interrupted (the test kit's
     * launchers then stop the half-started process). Waits at most {@link #RESTART_ABORT_WAIT} for that.
     */
    void stopWatching() {
        stopping = true;
        restarts.shutdownNow();
        try {
            if (!restarts.awaitTermination(RESTART_ABORT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                out.println("  [supervisor] a restart did not end within " + RESTART_ABORT_WAIT.toSeconds()
                        + " s of its interruption: its process is stopped with the rest");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @param setbacks deaths and failed starts in a row before this start, none of which stayed up {@link
     *     Policy#stableAfter()}
     */
    private void watch(Child child, ProcessHandle process, long startedNanos, int setbacks) {
        process.onExit().thenRun(() -> died(child, process.pid(), startedNanos, setbacks));
    }

    private void died(Child child, long pid, long startedNanos, int setbacksBefore) {
        if (stopping) {
            return;
        }
        Duration up = Duration.ofNanos(System.nanoTime() - startedNanos);
        int setbacks = up.compareTo(policy.stableAfter()) >= 0 ? 1 : setbacksBefore + 1;
        if (setbacks >= policy.giveUpAfter()) {
            print("[gave up] " + child.name() + " (pid " + pid + ", up " + seconds(up) + "): " + child.exitDescription()
                    + "; " + setbacks + " deaths or failed starts in a row, none up " + seconds(policy.stableAfter())
                    + "; the rest of the stack keeps running; log " + child.logFile());
            return;
        }
        Duration backoff = policy.backoff(setbacks - 1);
        print("[died] " + child.name() + " (pid " + pid + ", up " + seconds(up) + "): " + child.exitDescription()
                + "; log " + child.logFile() + "; restarting in " + seconds(backoff));
        schedule(child, backoff, setbacks, System.nanoTime());
    }

    private void schedule(Child child, Duration backoff, int setbacks, long downSinceNanos) {
        try {
            restarts.schedule(
                    () -> restart(child, setbacks, downSinceNanos), backoff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    private void restart(Child child, int setbacks, long downSinceNanos) {
        if (stopping) {
            return;
        }
        try {
            child.restart();
        } catch (RuntimeException e) {
            if (stopping || Thread.currentThread().isInterrupted()) {
                return;
            }
            int failed = setbacks + 1;
            if (failed >= policy.giveUpAfter()) {
                print("[gave up] " + child.name() + ": " + failed + " deaths or failed starts in a row; the rest of the"
                        + " stack keeps running; log " + child.logFile() + "; last failure: " + firstLine(e));
                return;
            }
            Duration next = policy.backoff(failed - 1);
            print("[restart failed] " + child.name() + ": " + firstLine(e) + "; log " + child.logFile()
                    + "; next try in " + seconds(next));
            schedule(child, next, failed, downSinceNanos);
            return;
        }
        Optional<ProcessHandle> process = child.process();
        print("[restarted] " + child.name() + " (pid "
                + process.map(p -> Long.toString(p.pid())).orElse("?") + ") after "
                + seconds(Duration.ofNanos(System.nanoTime() - downSinceNanos)) + " down");
        process.ifPresent(p -> watch(child, p, System.nanoTime(), setbacks));
    }

    private void print(String line) {
        out.println("  "
                + line.replaceFirst("^\\[([^\\]]+)\\]", "[$1 " + LocalTime.now().format(CLOCK) + "]"));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** The first line of the message of an exception and of each of its causes, on one line. */
    private static String firstLine(Throwable e) {
        java.util.List<String> messages = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 5; t = t.getCause()) {
            String message = t.getMessage() == null
                    ? t.getClass().getSimpleName()
                    : t.getMessage().lines().findFirst().orElse("");
            if (messages.stream().noneMatch(m -> m.contains(message))) {
                messages.add(message);
            }
        }
        return String.join(" / caused by: ", messages);
    }
}

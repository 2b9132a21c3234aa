package io.promptloop.testkit;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server process this JVM started — the one launcher of the test kit and the dev stack: its output goes to a
 * log file (never the console), and it is stopped by its own pid only: SIGTERM, then, after a grace period,
 * SIGKILL of it and every process it started. A small shell watchdog ends it if this JVM dies without running
 * its shutdown hooks (kill -9), so that a crashed test run or dev stack leaves no orphaned servers behind.
 */
public final class ChildProcess {

    private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());

    /** How long to wait for the processes of a tree to be gone after SIGKILL. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Optional<Process> watchdog;

    private ChildProcess(String name, Process process, Path logFile, Optional<Process> watchdog) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.watchdog = watchdog;
    }

    /** Starts {@code command} in {@code workingDirectory}, appending its stdout and stderr to {@code logFile}. */
    public static ChildProcess start(String name, List<String> command, Path workingDirectory, Path logFile) {
        return start(name, command, Map.of(), workingDirectory, logFile);
    }

    /**
     * Starts {@code command} with {@code environment} added to this JVM's environment, in {@code
     * workingDirectory}, appending its stdout and stderr to {@code logFile}.
     */
    public static ChildProcess start(
            String name, List<String> command, Map<String, String> environment, Path workingDirectory, Path logFile) {
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            LOG.log(System.Logger.Level.DEBUG, "{0} started as pid {1}", name, process.pid());
            return new ChildProcess(name, process, logFile, watch(process.pid(), "TERM"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
    }

    /** Runs a short command to completion, its output appended to {@code logFile}; returns the exit code. */
    static int run(String name, List<String> command, Path workingDirectory, Path logFile, Duration timeout) {
        ChildProcess child = start(name, command, workingDirectory, logFile);
        try {
            if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                child.stop(Duration.ofSeconds(5));
                throw new IllegalStateException(name + " did not finish within " + timeout + "; last lines of "
                        + logFile + ":\n" + child.tail());
            }
            child.watchdog.ifPresent(Process::destroy);
            return child.process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.stop(Duration.ofSeconds(5));
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    /**
     * Ends {@code childPid} once this JVM is gone, with {@code signal} and then KILL. Exits by itself as soon
     * as the child is gone, so a recycled pid is never signalled. Unix only: elsewhere there is no watchdog.
     */
    static Optional<Process> watch(long childPid, String signal) {
        if (!Files.isExecutable(Path.of("/bin/sh"))) {
            return Optional.empty();
        }
        String script = "p=$1; c=$2; s=$3; "
                + "while kill -0 \"$p\" 2>/dev/null && kill -0 \"$c\" 2>/dev/null; do sleep 1; done; "
                + "if kill -0 \"$c\" 2>/dev/null; then kill -\"$s\" \"$c\"; i=0; "
                + "while kill -0 \"$c\" 2>/dev/null && [ $i -lt 20 ]; do sleep 1; i=$((i+1)); done; "
                + "kill -0 \"$c\" 2>/dev/null && kill -KILL \"$c\"; fi";
        try {
            Process watchdog = new ProcessBuilder(
                            "/bin/sh",
                            "-c",
                            script,
                            "promptloop-watchdog",
                            Long.toString(ProcessHandle.current().pid()),
                            Long.toString(childPid),
                            signal)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
            return Optional.of(watchdog);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "no watchdog for pid " + childPid + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /** Completes with this child once its process has exited, however it ended. */
    public CompletableFuture<ChildProcess> onExit() {
        return process.onExit().thenApply(p -> this);
    }

    /**
     * How the process ended, for a person: {@code exit code 1}, or {@code killed by signal 9 (SIGKILL)} — the JDK
     * reports a death by signal N as exit value 128 + N, as shells do.
     */
    public String exitDescription() {
        return exitCode().map(ChildProcess::describeExit).orElse("still running");
    }

    /** {@code exit code N}, or {@code killed by signal N (SIGNAME)} for the values above 128 (128 + N). */
    public static String describeExit(int exitValue) {
        if (exitValue > 128 && exitValue < 128 + 32) {
            int signal = exitValue - 128;
            return "killed by signal " + signal
                    + signalName(signal).map(n -> " (" + n + ")").orElse("") + ", exit value " + exitValue;
        }
        return "exit code " + exitValue;
    }

    private static Optional<String> signalName(int signal) {
        return Optional.ofNullable(
                switch (signal) {
                    case 1 -> "SIGHUP";
                    case 2 -> "SIGINT";
                    case 3 -> "SIGQUIT";
                    case 6 -> "SIGABRT";
                    case 9 -> "SIGKILL";
                    case 11 -> "SIGSEGV";
                    case 15 -> "SIGTERM";
                    default -> null;
                });
    }

    /**
     * Asks the process to end (SIGTERM), and if it has not after {@code grace}, kills it and every process it
     * started (SIGKILL, by pid). Returns once all are gone, or {@link #KILL_WAIT} after the SIGKILL at most.
     *
     * @return true if it ended by itself within the grace period (or was not running)
     */
    public boolean stop(Duration grace) {
        try {
            if (!process.isAlive()) {
                return true;
            }
            List<ProcessHandle> tree = tree(process.toHandle());
            process.destroy();
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                killAll(tree.subList(1, tree.size())); // a descendant that outlived its parent
                return true;
            }
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0} (pid {1}) ignored SIGTERM for {2}: killing it",
                    name,
                    process.pid(),
                    grace);
            killTree(process.toHandle());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree(process.toHandle());
            return false;
        } finally {
            watchdog.ifPresent(Process::destroy);
        }
    }

    /**
     * SIGKILL to {@code root} and every process it started (found before the kill, while they are still its
     * descendants), then waits up to {@link #KILL_WAIT} for all of them to be gone.
     */
    public static void killTree(ProcessHandle root) {
        killAll(tree(root));
    }

    private static List<ProcessHandle> tree(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        return tree;
    }

    private static void killAll(List<ProcessHandle> processes) {
        processes.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.log(System.Logger.Level.WARNING, "pid {0} still there after SIGKILL", p.pid());
            }
        }
    }

    /** The last lines of the log file, for error messages. */
    public String tail() {
        return tail(logFile, 60);
    }

    public static String tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "(no log file " + file + ")";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long from = Math.max(0, length - 16_384);
            byte[] bytes = new byte[(int) (length - from)];
            raf.seek(from);
            raf.readFully(bytes);
            List<String> all = new ArrayList<>(List.of(new String(bytes, StandardCharsets.UTF_8).split("\\R")));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** The JDK that runs this JVM: the children need the same (Java 21+ for the registry and the services). */
    public static String javaExecutable() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(command -> Files.isExecutable(Path.of(command)))
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}

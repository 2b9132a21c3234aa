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
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A server process this JVM started: its output goes to a log file (never the test console), and it is
 * stopped by its own handle only. A small shell watchdog ends it if this JVM dies without running its
 * shutdown hooks (kill -9), so a crashed test run leaves no orphaned servers behind.
 */
final class ChildProcess {

    private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());

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
    static ChildProcess start(String name, List<String> command, Path workingDirectory, Path logFile) {
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Process process = new ProcessBuilder(command)
                    .directory(workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
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

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /** Asks the process to end (SIGTERM), and kills it if it has not after {@code grace}. */
    void stop(Duration grace) {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "{0} (pid {1}) ignored SIGTERM for {2}: killing it",
                            name,
                            process.pid(),
                            grace);
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            watchdog.ifPresent(Process::destroy);
        }
    }

    /** The last lines of the log file, for error messages. */
    String tail() {
        return tail(logFile, 60);
    }

    static String tail(Path file, int lines) {
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

    /** The JDK that runs this JVM: the children need the same (Java 21+ for the registry). */
    static String javaExecutable() {
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

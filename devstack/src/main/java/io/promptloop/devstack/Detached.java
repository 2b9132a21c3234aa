package io.promptloop.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C in a terminal signals the whole foreground process group: Kafka and the registry (children of
 * this JVM) would die at the same moment as the dev stack, before the services it still has to stop
 * gracefully. So the launcher JVM only supervises: it runs the real dev stack in a session of its own
 * ({@code setsid}), turns its own Ctrl-C or SIGTERM into one SIGTERM for that JVM, which then stops agent,
 * services, registry, Kafka and PostgreSQL in order, and waits for it. The detached JVM in turn stops if its
 * supervisor disappears (kill -9).
 */
final class Detached {

    /** Set in the detached JVM's environment: the supervisor's pid. */
    static final String SUPERVISOR_PID = "PROMPTLOOP_DEVSTACK_SUPERVISOR_PID";

    /**
     * Longer than the dev stack's own bound: if it is still running then, it is killed, and the test kit's
     * watchdogs end its children (SIGTERM, SIGKILL 20 s later).
     */
    private static final Duration STOP_TIMEOUT = DevStack.STOP_BOUND.plusSeconds(20);

    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private Detached() {}

    /** The supervisor's pid when this JVM is the detached dev stack. */
    static OptionalLong supervisorPid() {
        String pid = System.getenv(SUPERVISOR_PID);
        if (pid == null || pid.isBlank()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(pid.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * How to run the detached dev stack.
     *
     * @param command {@code setsid java ...}
     * @param jarCopy the copy of the dev stack's jar it runs from, deleted when it has exited; null if none
     */
    record Launch(List<String> command, Path jarCopy) {}

    /**
     * The command that runs this same JVM invocation in a new session, if this JVM should supervise one: not
     * already detached, {@code setsid} available, and the command line readable. When started with {@code
     * -jar}, the detached JVM runs from a copy of the jar in {@code <data>/run}, so that rebuilding the
     * project while the stack runs cannot pull classes from under it.
     */
    static Optional<Launch> detachedCommand(Options options) {
        if (supervisorPid().isPresent()) {
            return Optional.empty();
        }
        Optional<Path> setsid = SETSID.stream().filter(Files::isExecutable).findFirst();
        ProcessHandle.Info self = ProcessHandle.current().info();
        if (setsid.isEmpty()
                || self.command().isEmpty()
                || self.arguments().isEmpty()
                || self.arguments().get().length == 0) {
            return Optional.empty();
        }
        List<String> arguments = List.of(self.arguments().get());
        List<String> command = new ArrayList<>();
        command.add(setsid.get().toString());
        command.add(self.command().get());
        int jar = arguments.indexOf("-jar");
        if (jar < 0 || jar + 1 >= arguments.size() || !Files.isRegularFile(Path.of(arguments.get(jar + 1)))) {
            command.addAll(arguments);
            return Optional.of(new Launch(command, null));
        }
        Path copy =
                copyJar(Path.of(arguments.get(jar + 1)), options.dataDirectory().resolve("run"));
        command.addAll(arguments.subList(0, jar + 1));
        command.add(copy.toString());
        // the copy no longer sits in the checkout: name it, before the user's own options (later ones win)
        command.add("--project-dir");
        command.add(options.projectDirectory().toAbsolutePath().toString());
        command.addAll(arguments.subList(jar + 2, arguments.size()));
        return Optional.of(new Launch(command, copy));
    }

    /**
     * Runs the detached dev stack with this JVM's terminal, forwards this JVM's shutdown (Ctrl-C, SIGTERM) to
     * it as one SIGTERM, and returns its exit code.
     */
    static int supervise(Launch launch) {
        ProcessBuilder builder = new ProcessBuilder(launch.command()).inheritIO();
        builder.environment()
                .put(SUPERVISOR_PID, Long.toString(ProcessHandle.current().pid()));
        Process stack;
        try {
            stack = builder.start();
        } catch (IOException e) {
            System.err.println("devstack: cannot start " + String.join(" ", launch.command()) + ": " + e.getMessage());
            deleteQuietly(launch.jarCopy());
            return 1;
        }
        Runtime.getRuntime()
                .addShutdownHook(
                        Thread.ofPlatform().name("devstack-supervisor-stop").unstarted(() -> {
                            stopAndWait(stack);
                            deleteQuietly(launch.jarCopy());
                        }));
        while (true) {
            try {
                int exit = stack.waitFor();
                deleteQuietly(launch.jarCopy());
                return exit;
            } catch (InterruptedException e) {
                // keep waiting: the shutdown hook ends the child
            }
        }
    }

    /** In the detached JVM: runs {@code stop} once the supervisor is gone (e.g. killed with -9). */
    static void onSupervisorExit(long supervisorPid, Runnable stop) {
        ProcessHandle.of(supervisorPid)
                .map(ProcessHandle::onExit)
                .orElseGet(() -> java.util.concurrent.CompletableFuture.completedFuture(null))
                .thenRun(() -> {
                    System.err.println("devstack: the launcher (pid " + supervisorPid + ") is gone: stopping");
                    stop.run();
                });
    }

    private static void stopAndWait(Process stack) {
        if (!stack.isAlive()) {
            return;
        }
        stack.destroy();
        try {
            if (!stack.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("devstack: did not stop within " + STOP_TIMEOUT.toSeconds() + " s: killing it");
                stack.destroyForcibly();
            }
        } catch (InterruptedException e) {
            stack.destroyForcibly();
        }
    }

    /**
     * Copies {@code jar} to {@code directory} under a name of its own (this JVM's pid), after removing the
     * copies of launchers that are gone.
     */
    static Path copyJar(Path jar, Path directory) {
        try {
            Files.createDirectories(directory);
            try (var files = Files.newDirectoryStream(directory, "devstack-*.jar")) {
                for (Path stale : files) {
                    String pid = stale.getFileName().toString().replaceAll("\\D", "");
                    if (!pid.isEmpty()
                            && ProcessHandle.of(Long.parseLong(pid))
                                    .map(ProcessHandle::isAlive)
                                    .isEmpty()) {
                        Files.deleteIfExists(stale);
                    }
                }
            }
            Path copy = directory.resolve("devstack-" + ProcessHandle.current().pid() + ".jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy.toAbsolutePath();
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot copy " + jar + " to " + directory + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale copy is removed by the next start
        }
    }
}

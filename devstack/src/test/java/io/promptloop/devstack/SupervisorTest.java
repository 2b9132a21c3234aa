package io.promptloop.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.testkit.ChildProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor with real (shell) processes and a short back-off: what it reports, when it restarts and gives up. */
class SupervisorTest {

    private static final Supervisor.Policy FAST =
            new Supervisor.Policy(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(60), 3);

    @Test
    void shouldDoubleTheBackoffUpToItsBound() {
        assertThat(List.of(0, 1, 2, 3, 10).stream().map(Supervisor.Policy.DEFAULT::backoff))
                .containsExactly(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(4),
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(30));
    }

    @Test
    void shouldReportAKilledChildAndStartItAgain(@TempDir Path temp) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Supervisor supervisor = new Supervisor(new PrintStream(output, true, StandardCharsets.UTF_8), FAST);
        ShellChild child = new ShellChild("sleeper", "sleep 60", temp);
        child.restart();
        long first = child.current.pid();
        try {
            supervisor.watch(child);
            child.current.handle().destroyForcibly();

            await().atMost(Duration.ofSeconds(20)).until(() -> child.starts.get() == 2);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> output.toString(StandardCharsets.UTF_8).contains("[restarted"));
            assertThat(output.toString(StandardCharsets.UTF_8))
                    .containsPattern(
                            "\\[died [\\d:]+\\] sleeper \\(pid " + first + ", up [\\d.]+ s\\): killed by signal 9"
                                    + " \\(SIGKILL\\), exit value 137; log \\S+sleeper.log; restarting in 0.1 s")
                    .containsPattern("\\[restarted [\\d:]+\\] sleeper \\(pid " + child.current.pid() + "\\) after");
            assertThat(child.current.isAlive()).isTrue();
        } finally {
            supervisor.stopWatching();
            child.current.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void shouldGiveUpAChildThatKeepsDying(@TempDir Path temp) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Supervisor supervisor = new Supervisor(new PrintStream(output, true, StandardCharsets.UTF_8), FAST);
        ShellChild child = new ShellChild("crasher", "exit 3", temp);
        child.restart();
        try {
            supervisor.watch(child);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> output.toString(StandardCharsets.UTF_8).contains("[gave up"));
            String text = output.toString(StandardCharsets.UTF_8);
            assertThat(text)
                    .containsPattern("\\[died [\\d:]+\\] crasher \\(pid \\d+, up [\\d.]+ s\\): exit code 3; log \\S+;"
                            + " restarting in 0.1 s")
                    .contains("restarting in 0.2 s")
                    .containsPattern(
                            "\\[gave up [\\d:]+\\] crasher .*: exit code 3; 3 deaths or failed starts in a row");
            assertThat(child.starts.get())
                    .as("the first start and two restarts")
                    .isEqualTo(3);
        } finally {
            supervisor.stopWatching();
        }
    }

    @Test
    void shouldNotRestartOnceStopping(@TempDir Path temp) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Supervisor supervisor = new Supervisor(new PrintStream(output, true, StandardCharsets.UTF_8), FAST);
        ShellChild child = new ShellChild("sleeper", "sleep 60", temp);
        child.restart();
        supervisor.watch(child);
        supervisor.stopWatching();
        child.current.stop(Duration.ofSeconds(1));

        child.current.onExit().get();
        // a restart would come after FAST.first(): the single start must hold for five times that
        await("no restart once stopping")
                .during(FAST.first().multipliedBy(5))
                .atMost(FAST.first().multipliedBy(10))
                .until(() -> child.starts.get() == 1);
        assertThat(output.toString(StandardCharsets.UTF_8))
                .doesNotContain("[died")
                .doesNotContain("[restarted");
    }

    /** {@code /bin/sh -c script}, started again on each restart. */
    private static final class ShellChild implements Supervisor.Child {
        private final String name;
        private final String script;
        private final Path directory;
        private final AtomicInteger starts = new AtomicInteger();
        private volatile ChildProcess current;

        ShellChild(String name, String script, Path directory) {
            this.name = name;
            this.script = script;
            this.directory = directory;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void restart() {
            current = ChildProcess.start(
                    name, List.of("/bin/sh", "-c", script), directory, directory.resolve(name + ".log"));
            starts.incrementAndGet();
        }

        @Override
        public Optional<ProcessHandle> process() {
            return Optional.of(current.handle());
        }

        @Override
        public String exitDescription() {
            return current.exitDescription();
        }

        @Override
        public Path logFile() {
            return directory.resolve(name + ".log");
        }
    }
}

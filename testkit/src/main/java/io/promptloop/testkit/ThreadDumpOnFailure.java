package io.promptloop.testkit;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When an integration test fails, writes a dump of every thread of the test JVM, virtual threads included (the
 * JDK's own {@code HotSpotDiagnosticMXBean.dumpThreads}, as {@code jcmd <pid> Thread.dump_to_file} makes it), to
 * {@code target/thread-dumps/<class>.<method>.txt} and to standard error; the failure is rethrown unchanged. A listener that stops without a word (a CI run saw one go silent for minutes after a registry
 * time-out) can then be read after the run instead of reproduced.
 */
public final class ThreadDumpOnFailure implements TestExecutionExceptionHandler {

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        try {
            Path file = dump(
                    Path.of("target", "thread-dumps"),
                    context.getRequiredTestClass().getSimpleName() + "."
                            + context.getTestMethod().map(m -> m.getName()).orElse("class"));
            // printed too: on CI the build's output is what is kept of a failed run, not its files
            System.err.println("thread dump of the failed test's JVM (" + file.toAbsolutePath() + "):");
            System.err.println(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e); // the test's own failure matters more than its dump
        }
        throw failure;
    }

    /** Dumps every thread to {@code directory/name.txt} (replacing an older dump of that name). */
    static Path dump(Path directory, String name) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve(name + ".txt");
        Files.deleteIfExists(file); // dumpThreads refuses an existing file
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(file.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        return file;
    }
}

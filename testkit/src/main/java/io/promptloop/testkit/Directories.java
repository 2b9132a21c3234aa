package io.promptloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Data directories: given ones are kept across runs, temporary ones are removed with their server. */
final class Directories {

    /** Temporary directories carry the pid of the JVM that made them, so that leftovers can be recognised. */
    private static final Pattern TEMPORARY =
            Pattern.compile("promptloop-(?:kafka|postgres|apicurio|testkit)-(\\d+)(?:-.*)?");

    private Directories() {}

    static Path createOrTemporary(Path given, String prefix) {
        try {
            return given != null
                    ? Files.createDirectories(given).toAbsolutePath()
                    : Files.createTempDirectory(prefix + ProcessHandle.current().pid() + "-")
                            .toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + (given != null ? given : prefix), e);
        }
    }

    /**
     * Removes the temporary directories of testkit JVMs that no longer run (killed before their shutdown hook
     * could clean up). Only names this class gives are touched.
     */
    static void deleteLeftovers() {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> children = Files.list(temp)) {
            children.filter(Files::isDirectory).forEach(child -> {
                Matcher matcher = TEMPORARY.matcher(child.getFileName().toString());
                if (matcher.matches()) {
                    long pid = Long.parseLong(matcher.group(1));
                    if (ProcessHandle.of(pid).isEmpty()) {
                        deleteRecursively(child);
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    static void deleteRecursively(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory left behind is not worth failing a test run for
        }
    }
}

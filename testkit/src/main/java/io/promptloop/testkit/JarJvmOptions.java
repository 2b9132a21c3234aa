package io.promptloop.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * The JVM options a service jar asks for, from its resource {@value #RESOURCE}: one option per line, blank lines
 * and lines starting with {@code #} ignored — the syntax of the {@code java} launcher's argument files, so the
 * container image passes the same file as {@code @/app/resources/META-INF/promptloop/jvm-options} (the parent
 * POM's Jib {@code jvmFlags}). Every launcher of a service jar (dev stack, test kit, benchmarks) adds these after
 * its own options ({@link #javaCommand}), so the service runs with the same JVM options everywhere.
 */
public final class JarJvmOptions {

    /** Where a service keeps its JVM options, relative to its resources. */
    public static final String RESOURCE = "META-INF/promptloop/jvm-options";

    private JarJvmOptions() {}

    /**
     * The options in {@code jar} (a Spring Boot jar keeps resources under {@code BOOT-INF/classes/}); none when it
     * has no such resource.
     *
     * @throws IllegalArgumentException when a line holds more than one option or does not start with {@code -}
     */
    public static List<String> of(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry entry = file.getEntry("BOOT-INF/classes/" + RESOURCE);
            if (entry == null) entry = file.getEntry(RESOURCE);
            if (entry == null) return List.of();
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(file.getInputStream(entry), StandardCharsets.UTF_8))) {
                return parse(lines.lines().toList(), jar + "!/" + entry.getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the JVM options of " + jar, e);
        }
    }

    /**
     * The command that runs {@code jar}: {@code java}, the launcher's own options, the jar's, then {@code overrides}
     * (later options win, so an override can change one of the jar's), {@code -jar} and the jar. The one way every
     * launcher of a service jar builds it.
     */
    public static List<String> javaCommand(Path jar, List<String> launcherOptions, List<String> overrides) {
        List<String> command = new ArrayList<>();
        command.add(ChildProcess.javaExecutable());
        command.addAll(launcherOptions);
        command.addAll(of(jar));
        command.addAll(overrides);
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    static List<String> parse(List<String> lines, String source) {
        List<String> options = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (!line.startsWith("-") || line.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected one JVM option per line"
                        + " (starting with -, no spaces), found: " + line);
            }
            options.add(line);
        }
        return List.copyOf(options);
    }
}

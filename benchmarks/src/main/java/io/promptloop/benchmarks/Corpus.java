package io.promptloop.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Word lists of the generated workloads, kept as resources of this module (one entry per line, # comments). */
final class Corpus {

    private Corpus() {}

    /** The non-blank, non-comment lines of the resource {@code name}; fails if it is missing or empty. */
    static String[] lines(String name) {
        try (InputStream in = Corpus.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource " + name + " is missing from the benchmarks jar");
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toArray(String[]::new);
            if (lines.length == 0) throw new IllegalStateException("resource " + name + " has no entries");
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}

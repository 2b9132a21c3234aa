package io.promptloop.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the testkit's build left on disk for the child processes: the Kafka server's classpath (resolved
 * from Maven Central by maven-dependency-plugin) and the unpacked Apicurio Registry server. Read from the
 * filtered resource {@code testkit-build.properties}, so consumers of the testkit jar find them without
 * knowing Maven.
 */
record TestkitBuild(String kafkaVersion, Path kafkaClasspathFile, String apicurioVersion, Path apicurioHome) {

    private static final String RESOURCE = "testkit-build.properties";

    static TestkitBuild load() {
        Properties properties = new Properties();
        try (InputStream in = TestkitBuild.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath: build the testkit module");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new TestkitBuild(
                properties.getProperty("kafka.version"),
                Path.of(properties.getProperty("kafka.classpath.file")),
                properties.getProperty("apicurio.version"),
                Path.of(properties.getProperty("apicurio.home")));
    }

    /** The Kafka server's classpath, as the build wrote it. */
    String kafkaClasspath() {
        if (!Files.isRegularFile(kafkaClasspathFile)) {
            throw new IllegalStateException("Kafka server classpath file " + kafkaClasspathFile
                    + " does not exist: run `./mvnw -pl testkit install` (or generate-resources) first");
        }
        try {
            return Files.readString(kafkaClasspathFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code quarkus-run.jar} of the unpacked registry. */
    Path apicurioRunJar() {
        Path jar = apicurioHome.resolve("quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Apicurio Registry is not unpacked at " + apicurioHome
                    + ": run `./mvnw -pl testkit install` (or generate-resources) first");
        }
        return jar;
    }
}

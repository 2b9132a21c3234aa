package io.promptloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JarJvmOptionsTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadTheOptionsOfASpringBootJarSkippingCommentsAndBlankLines() throws IOException {
        Path jar = jar(
                "BOOT-INF/classes/" + JarJvmOptions.RESOURCE,
                "# why\n\n-XX:G1HeapRegionSize=8m\n  -Dfile.encoding=UTF-8  \n# end\n");
        assertThat(JarJvmOptions.of(jar)).containsExactly("-XX:G1HeapRegionSize=8m", "-Dfile.encoding=UTF-8");
    }

    @Test
    void shouldReadTheOptionsOfAPlainJar() throws IOException {
        Path jar = jar(JarJvmOptions.RESOURCE, "-Xss512k\n");
        assertThat(JarJvmOptions.of(jar)).containsExactly("-Xss512k");
    }

    @Test
    void shouldPutTheJarsOptionsBetweenTheLaunchersAndTheOverrides() throws IOException {
        Path jar = jar("BOOT-INF/classes/" + JarJvmOptions.RESOURCE, "-XX:G1HeapRegionSize=8m\n");
        assertThat(JarJvmOptions.javaCommand(jar, List.of("-Xmx512m"), List.of("-XX:G1HeapRegionSize=1m")))
                .containsExactly(
                        ChildProcess.javaExecutable(),
                        "-Xmx512m",
                        "-XX:G1HeapRegionSize=8m",
                        "-XX:G1HeapRegionSize=1m",
                        "-jar",
                        jar.toString());
    }

    @Test
    void shouldGiveNoOptionsForAJarWithoutTheResource() throws IOException {
        assertThat(JarJvmOptions.of(jar("BOOT-INF/classes/application.yaml", "a: 1\n")))
                .isEmpty();
    }

    @Test
    void shouldRefuseALineThatIsNotOneOption() {
        assertThatThrownBy(() -> JarJvmOptions.parse(List.of("# ok", "-Xss512k -Xmx1g"), "x.jar!/opts"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.jar!/opts line 2")
                .hasMessageContaining("one JVM option per line");
        assertThatThrownBy(() -> JarJvmOptions.parse(List.of("Xss512k"), "y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("y line 1");
    }

    @Test
    void shouldNameTheJarItCannotRead() {
        Path missing = dir.resolve("missing.jar");
        assertThatThrownBy(() -> JarJvmOptions.of(missing))
                .hasMessageContaining("cannot read the JVM options of " + missing);
    }

    /** The java launcher, given the same file as an argument file (as the container image is), reads the same options. */
    @Test
    void shouldAgreeWithTheJavaLaunchersArgumentFileSyntax() throws Exception {
        Path file = dir.resolve("jvm-options");
        Files.writeString(file, "# comment\n-Dpromptloop.argfile=read\n\n");
        Path jar = jar(JarJvmOptions.RESOURCE, Files.readString(file));
        List<String> ours = JarJvmOptions.of(jar);
        Process java = new ProcessBuilder(
                        ChildProcess.javaExecutable(), "@" + file, "-XshowSettings:properties", "-version")
                .redirectErrorStream(true)
                .start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor()).as(output).isZero();
        assertThat(ours).containsExactly("-Dpromptloop.argfile=read");
        assertThat(output).contains("promptloop.argfile = read");
    }

    private Path jar(String entry, String content) throws IOException {
        Path jar = Files.createTempFile(dir, "service", ".jar");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream zip = new JarOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }
}

package io.promptloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadDumpOnFailureTest {

    @Test
    void shouldDumpPlatformAndVirtualThreadsWithTheirStacks(@TempDir Path directory) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread parked = Thread.ofVirtual().name("parked-virtual-listener").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            Path file = ThreadDumpOnFailure.dump(directory, "Some.test");
            Path again = ThreadDumpOnFailure.dump(directory, "Some.test"); // an older dump is replaced

            String dump = Files.readString(again);
            assertThat(file).isEqualTo(again).hasFileName("Some.test.txt");
            assertThat(dump)
                    .contains("parked-virtual-listener") // Thread.getAllStackTraces() would leave it out
                    .contains("CountDownLatch.await")
                    .contains(Thread.currentThread().getName());
        } finally {
            release.countDown();
            parked.join();
        }
    }
}

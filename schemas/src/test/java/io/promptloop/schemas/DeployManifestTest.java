package io.promptloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes migration Job runs the changelogs from a ConfigMap that lists them one by one: a changelog added to
 * the master but not to the ConfigMap would make the Job fail on the first deployment after it.
 */
class DeployManifestTest {

    private static final Path CHANGELOG = Path.of("src/main/resources/db/changelog");
    private static final Path KUSTOMIZATION = Path.of("../deploy/k8s/kustomization.yaml");

    @Test
    void shouldShipEveryChangelogOfTheMasterToTheMigrationJob() throws IOException {
        String master = Files.readString(CHANGELOG.resolve("db.changelog-master.yaml"));
        List<String> included = Pattern.compile("file: db/changelog/(\\S+)")
                .matcher(master)
                .results()
                .map(m -> m.group(1))
                .toList();
        assertThat(included)
                .isNotEmpty()
                .allSatisfy(file -> assertThat(CHANGELOG.resolve(file)).exists());

        String kustomization = Files.readString(KUSTOMIZATION);
        for (String file : included) {
            assertThat(kustomization)
                    .as("deploy/k8s/kustomization.yaml lists " + file)
                    .contains("changelog/" + file);
        }
        assertThat(kustomization).contains("changelog/db.changelog-master.yaml");
    }
}

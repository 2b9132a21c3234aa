package io.promptloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s as an operator applies it: each kustomization rendered by {@code kubectl kustomize} (kustomize v5
 * inside kubectl), every object validated offline against the OpenAPI schemas of Kubernetes (npm
 * kubernetes-models 5.1.0), KEDA (@kubernetes-models/keda 2.0.0) and the Prometheus operator
 * (@kubernetes-models/prometheus-operator 6.0.0), installed by tools/setup/deploy.sh. A deliberately broken
 * manifest must be rejected, so a validator that accepts anything fails this test.
 */
class KubernetesManifestsIT {

    private static final Path MODELS = Path.of("/var/cache/promptloop-deploy/k8s-validate");

    private final Path project =
            Path.of(System.getProperty("promptloop.project.dir", "..")).toAbsolutePath();
    private final String version = System.getProperty("promptloop.version", "0.1.0-SNAPSHOT");

    @Test
    void shouldRenderAndValidateTheBaseAndEveryOverlay() throws Exception {
        assumeTools();
        for (String kustomization : List.of(
                "deploy/k8s", "deploy/k8s/overlays/keda", "deploy/k8s/monitoring", "deploy/k8s/examples/secrets")) {
            String rendered = render(kustomization);
            Run validation = validate(rendered);
            assertThat(validation.exit())
                    .as(kustomization + " against the schemas:\n" + validation.output())
                    .isZero();
            assertThat(validation.output()).contains(" 0 invalid").doesNotContain("INVALID");
        }
    }

    @Test
    void shouldRejectABrokenManifest() throws Exception {
        assumeTools();
        String broken = render("deploy/k8s").replace("containerPort: 8081", "containerPort: eighty-eighty-one");
        Run validation = validate(broken);
        assertThat(validation.exit()).isEqualTo(1);
        assertThat(validation.output()).contains("INVALID apps/v1 Deployment promptloop/ingest-service");
    }

    @Test
    void shouldShipOneReleaseAndScaleOnlyAsFarAsPartitionsAllow() throws Exception {
        assumeTools();
        String base = render("deploy/k8s");
        // every image, the migrations' included, carries the project version: one release, ordered by init containers
        assertThat(imagesOf(base))
                .isNotEmpty()
                .allSatisfy(image -> assertThat(image).endsWith(":" + version));
        assertThat(base).contains("initContainers:").contains("image: promptloop/migrations:" + version);
        // probes and scraping on the management port, never on the API port
        assertThat(base)
                .doesNotContainPattern("path: /actuator/health/\\w+\\s+port: http\\b")
                .containsPattern("readinessProbe:\\s+failureThreshold: \\d+\\s+httpGet:\\s+"
                        + "path: /actuator/health/readiness\\s+port: management");

        String keda = render("deploy/k8s/overlays/keda");
        assertThat(keda)
                .as("KEDA's webhook rejects a ScaledObject next to an HPA")
                .doesNotContain("kind: HorizontalPodAutoscaler")
                .contains("kind: ScaledObject");
        // every topic each consumer group reads (the services' @KafkaListener topics)
        assertThat(triggers(keda, "promptloop-ingest"))
                .containsExactlyInAnyOrder("agent-sessions", "agent-evaluations", "ab-observations");
        assertThat(triggers(keda, "promptloop-optimizer"))
                .containsExactlyInAnyOrder("agent-evaluations", "agent-sessions");
        assertThat(triggers(keda, "promptloop-abtest"))
                .containsExactlyInAnyOrder("ab-observations", "optimizer-events");
        // 6 partitions per topic / consumers per replica (ingest 3, optimizer 1, abtest 1)
        assertThat(keda)
                .contains("maxReplicaCount: 2\n  minReplicaCount: 1\n  scaleTargetRef:\n    name: ingest-service");
        assertThat(base).containsPattern("maxReplicas: 2\\s+metrics:[\\s\\S]*?name: ingest-service");
    }

    /**
     * Every env entry of every container (init containers included) resolves against the documented example
     * Secrets, as the kubelet resolves it; the deployment rehearsal then starts the images with exactly these
     * values. Only the optional OpenAI key may be absent.
     */
    @Test
    void shouldResolveTheEnvOfEveryContainerFromTheDocumentedSecrets() throws Exception {
        assumeTools();
        String base = render("deploy/k8s");
        Map<String, Map<String, String>> secrets = PodTemplate.secrets(render("deploy/k8s/examples/secrets"));
        Map<String, Map<String, String>> configMaps = PodTemplate.configMaps(base);
        Map<String, PodTemplate> pods = PodTemplate.deployments(base);
        assertThat(pods).containsOnlyKeys("ingest-service", "optimizer-service", "abtest-service");
        for (PodTemplate pod : pods.values()) {
            PodTemplate.Container service = pod.containers().get(0);
            Map<String, String> environment = service.environment(secrets, configMaps);
            assertThat(environment)
                    .as(pod.deployment())
                    .containsKeys(
                            "SPRING_DATASOURCE_URL",
                            "SPRING_DATASOURCE_USERNAME",
                            "SPRING_DATASOURCE_PASSWORD",
                            "PROMPTLOOP_SECURITY_USERS_0_PASSWORD")
                    .doesNotContainKey("PROMPTLOOP_OPTIMIZER_REFLECTION_OPENAI_API_KEY");
            assertThat(environment.get("PROMPTLOOP_SECURITY_USERS_0_PASSWORD")).startsWith("{bcrypt}$2a$10$");
            assertThat(service.readinessPath()).isEqualTo("/actuator/health/readiness");
            assertThat(service.readinessPort()).isEqualTo(Integer.parseInt(environment.get("MANAGEMENT_SERVER_PORT")));
            PodTemplate.Container migrations = pod.initContainers().get(0);
            assertThat(migrations.environment(secrets, configMaps))
                    .containsKeys(
                            "PROMPTLOOP_MIGRATIONS_JDBC_URL",
                            "PROMPTLOOP_MIGRATIONS_PASSWORD",
                            "PROMPTLOOP_LOGIN_"
                                    + pod.deployment().replace("-service", "").toUpperCase(Locale.ROOT) + "_PASSWORD");
        }
    }

    /** A Secret key a Deployment needs and nobody documents fails before any container starts, naming all. */
    @Test
    void shouldFailClearlyWhenADeploymentNeedsASecretKeyThatIsMissing() throws Exception {
        assumeTools();
        Map<String, Map<String, String>> secrets =
                new LinkedHashMap<>(PodTemplate.secrets(render("deploy/k8s/examples/secrets")));
        Map<String, String> ingest = new LinkedHashMap<>(secrets.get("promptloop-db-ingest"));
        ingest.remove("password");
        secrets.put("promptloop-db-ingest", ingest);
        secrets.remove("promptloop-http-users");
        Map<String, PodTemplate> pods = PodTemplate.deployments(render("deploy/k8s"));

        assertThatThrownBy(() -> pods.get("ingest-service").containers().get(0).environment(secrets, Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Deployment ingest-service, container ingest-service: env SPRING_DATASOURCE_PASSWORD"
                        + " needs Secret promptloop-db-ingest key password, which it lacks (its keys: jdbc-url,"
                        + " username); Kubernetes would not start this container (CreateContainerConfigError)");
        assertThatThrownBy(() -> pods.get("abtest-service").containers().get(0).environment(secrets, Map.of()))
                .hasMessageContaining("env PROMPTLOOP_SECURITY_USERS_0_NAME needs Secret promptloop-http-users,"
                        + " which does not exist");
    }

    private static List<String> imagesOf(String rendered) {
        return Pattern.compile("image: (\\S+)")
                .matcher(rendered)
                .results()
                .map(m -> m.group(1))
                .toList();
    }

    private static List<String> triggers(String rendered, String group) {
        Matcher m = Pattern.compile("consumerGroup: " + group + "\\s+lagThreshold: \"\\d+\"\\s+topic: (\\S+)")
                .matcher(rendered);
        return m.results().map(r -> r.group(1)).toList();
    }

    private void assumeTools() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl missing: run tools/setup/deploy.sh");
        assumeTrue(
                Files.isDirectory(MODELS.resolve("node_modules/kubernetes-models")),
                "schemas missing in " + MODELS + ": run tools/setup/deploy.sh as root (needs npm)");
    }

    private String render(String kustomization) throws Exception {
        Run run = run(List.of("kubectl", "kustomize", kustomization), null);
        assertThat(run.exit())
                .as("kubectl kustomize " + kustomization + ":\n" + run.output())
                .isZero();
        return run.output();
    }

    private Run validate(String rendered) throws Exception {
        Path script = project.resolve("deploy-tests/src/test/node/validate-manifests.mjs");
        return run(List.of("node", script.toString()), rendered);
    }

    private record Run(int exit, String output) {}

    private Run run(List<String> command, String stdin) throws IOException, InterruptedException {
        Path output = Files.createTempFile("k8s-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(project.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("PROMPTLOOP_K8S_MODELS", MODELS.toString());
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return new Run(-1, "timed out: " + command);
            }
            return new Run(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}

package io.promptloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.testkit.FreePorts;
import io.promptloop.testkit.agent.SimulatedEvaluator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The deployment rehearsal: {@code docker-compose.yml} exactly as shipped (plus {@code docker-compose.ci.yml},
 * which only swaps the public PostgreSQL, Kafka and Apicurio images for local builds of the same software),
 * brought up with real containers under podman from the images this build made (profile "images"), on free
 * host ports. It checks what an operator relies on: every container healthy, the migrations step completed
 * and safe to run again, events published from the host through Kafka's host listener stored by ingest and
 * turned into the optimizer's examples, metrics scraped from the management port, and data kept across
 * {@code docker-compose down} / {@code up}.
 *
 * <p>Skipped with the reason where podman cannot run (tools/setup/deploy.sh not run as root), or with {@code
 * -Dpromptloop.rehearsal.skip=true}.
 */
class ComposeRehearsalIT {

    private static final Duration UP_TIMEOUT = Duration.ofMinutes(10);
    private static final String AGENT = "rehearsal-agent";

    private final Path projectDirectory =
            Path.of(System.getProperty("promptloop.project.dir", "..")).toAbsolutePath();
    private final String version = System.getProperty("promptloop.version", "0.1.0-SNAPSHOT");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void shouldComeUpServeTheLoopAndKeepItsDataAcrossDownAndUp() throws Exception {
        assumeFalse(
                Boolean.getBoolean("promptloop.rehearsal.skip"),
                "deployment rehearsal skipped by -Dpromptloop.rehearsal.skip=true");
        String unavailable = Compose.unavailableReason();
        assumeTrue(unavailable == null, () -> "deployment rehearsal skipped: " + unavailable);
        assertThat(Compose.apiProblem()).as("podman's Docker-compatible API").isNull();
        for (String image : List.of("migrations", "ingest-service", "optimizer-service", "abtest-service")) {
            assertThat(podman("image", "exists", "promptloop/" + image + ":" + version))
                    .as("image promptloop/%s:%s, built by the Maven profile \"images\"", image, version)
                    .isZero();
        }
        long started = System.nanoTime();
        buildLocalInfrastructureImages();
        long imagesBuilt = System.nanoTime();

        Map<String, String> ports = new LinkedHashMap<>();
        for (String name : List.of(
                "POSTGRES_PORT",
                "KAFKA_PORT",
                "REGISTRY_PORT",
                "INGEST_PORT",
                "INGEST_MANAGEMENT_PORT",
                "OPTIMIZER_PORT",
                "OPTIMIZER_MANAGEMENT_PORT",
                "ABTEST_PORT",
                "ABTEST_MANAGEMENT_PORT")) {
            ports.put(name, Integer.toString(freePort()));
        }
        Map<String, String> environment = new LinkedHashMap<>(ports);
        environment.put("PROMPTLOOP_VERSION", version);
        Path log = Files.createDirectories(projectDirectory.resolve("deploy-tests/target"))
                .resolve("compose.log");
        Files.deleteIfExists(log);
        String project = "plrehearsal" + ProcessHandle.current().pid();
        try (Compose compose = new Compose(
                projectDirectory, project, List.of("docker-compose.yml", "docker-compose.ci.yml"), environment, log)) {
            compose.up(UP_TIMEOUT);
            awaitHealthy(compose);
            long healthy = System.nanoTime();
            System.out.printf(
                    "rehearsal: infrastructure images %d s, compose up to healthy %d s%n",
                    TimeUnit.NANOSECONDS.toSeconds(imagesBuilt - started),
                    TimeUnit.NANOSECONDS.toSeconds(healthy - imagesBuilt));

            Map<String, String> dotEnv = dotEnv();
            String jdbc = "jdbc:postgresql://127.0.0.1:" + ports.get("POSTGRES_PORT") + "/promptloop";
            String admin = dotEnv.get("POSTGRES_PASSWORD");
            assertThat(scalar(jdbc, admin, "SELECT count(*) FROM databasechangelog"))
                    .as("changesets the migrations container applied")
                    .isGreaterThan(0);
            assertThat(scalar(
                            jdbc,
                            admin,
                            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
                                    + " WHERE r.rolname IN ('ingest_app', 'optimizer_app', 'abtest_app')"))
                    .as("service logins created by the migrations step and members of their group roles")
                    .isEqualTo(3);

            Compose.Result again = compose.run("migrations", Duration.ofMinutes(3));
            assertThat(again.exit())
                    .as("the migrations step run a second time:\n" + again.output())
                    .isZero();
            assertThat(again.output()).contains("global compatibility BACKWARD");

            long checked = System.nanoTime();

            String registryRule = get(
                    "http://127.0.0.1:" + ports.get("REGISTRY_PORT") + "/apis/registry/v3/admin/rules/COMPATIBILITY",
                    null);
            assertThat(registryRule).contains("BACKWARD");

            // real events from the host, through Kafka's host listener, as an agent on this machine sends them
            String bootstrap = "127.0.0.1:" + ports.get("KAFKA_PORT");
            String registryApi = "http://127.0.0.1:" + ports.get("REGISTRY_PORT") + "/apis/registry/v3";
            int sent;
            try (SimulatedEvaluator agent = new SimulatedEvaluator(
                    SimulatedEvaluator.Settings.of(bootstrap, registryApi).withAgentName(AGENT))) {
                sent = agent.publish(agent.baselineEvaluations(new AgentRef(AGENT, "answer"), "Answer briefly.", 12));
            }
            String evaluations = "SELECT count(*) FROM conversation.evaluations WHERE agent_name = '" + AGENT + "'";
            String examples = "SELECT count(*) FROM optimizer.examples WHERE agent_name = '" + AGENT + "'";
            await("ingest stored the " + sent + " evaluations")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> scalar(jdbc, admin, evaluations), count -> count == sent);
            await("the optimizer turned the evaluations into examples")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> scalar(jdbc, admin, examples), count -> count > 0);
            long exampleCount = scalar(jdbc, admin, examples);

            assertScrapes(ports);
            long looped = System.nanoTime();

            runKubernetesPods(compose, project);
            long pods = System.nanoTime();

            compose.down(Duration.ofMinutes(3));
            long down = System.nanoTime();
            compose.up(UP_TIMEOUT);
            awaitHealthy(compose);
            long upAgain = System.nanoTime();
            assertThat(scalar(jdbc, admin, evaluations))
                    .as("evaluations after docker-compose down and up")
                    .isEqualTo(sent);
            assertThat(scalar(jdbc, admin, examples))
                    .as("examples after docker-compose down and up")
                    .isEqualTo(exampleCount);
            // Kafka kept its topics and the ingest group's offsets: the same events are not stored twice,
            // and the registry (stored in PostgreSQL) still knows the schema the agent registered
            assertThat(get(registryApi + "/groups/default/artifacts?limit=100", null))
                    .contains("agent-evaluations-value");
            System.out.printf(
                    "rehearsal: checks and second migrations run %d s, events to examples and scrapes %d s,"
                            + " Kubernetes pods %d s, down %d s, up to healthy again %d s, whole rehearsal %d s%n",
                    seconds(checked - healthy),
                    seconds(looped - checked),
                    seconds(pods - looped),
                    seconds(down - pods),
                    seconds(upAgain - down),
                    seconds(System.nanoTime() - started));
        }
    }

    /**
     * Each Deployment of {@code deploy/k8s} as a kubelet would start its pod, against this stack's PostgreSQL,
     * Kafka and registry: the pod templates rendered by kustomize, the env exactly as declared with the Secrets of
     * {@code deploy/k8s/examples/secrets} substituted, the cluster host names ({@code kafka-bootstrap}, {@code
     * apicurio-registry}, the Secrets' {@code postgres}) pointed at the compose containers, user, read-only root,
     * capabilities, tmpfs and memory limit as the manifest says. The three pods start together, as after {@code
     * kubectl apply}: the init containers (the migrations) run concurrently against one database, then each
     * service runs until its readiness probe, on the manifest's path and port, answers UP. The compose
     * services are stopped meanwhile, so the machine runs three service JVMs, not six.
     */
    private void runKubernetesPods(Compose compose, String project) throws Exception {
        String deployments = kustomize("deploy/k8s");
        String exampleSecrets = kustomize("deploy/k8s/examples/secrets");
        Map<String, Map<String, String>> secrets = PodTemplate.secrets(exampleSecrets);
        Map<String, Map<String, String>> configMaps = PodTemplate.configMaps(deployments);
        List<String> network = new ArrayList<>(List.of("--network", project + "_default"));
        for (String[] host : List.of(
                new String[] {"kafka-bootstrap", "kafka"},
                new String[] {"apicurio-registry", "registry"},
                new String[] {"postgres", "postgres"})) {
            network.addAll(List.of("--add-host", host[0] + ":" + ipOf(compose.container(host[1]))));
        }
        Map<String, PodTemplate> pods = PodTemplate.deployments(deployments);
        assertThat(pods).containsOnlyKeys("ingest-service", "optimizer-service", "abtest-service");

        compose.compose(Duration.ofMinutes(2), "stop", "ingest-service", "optimizer-service", "abtest-service");
        List<String> started = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<String>> results = new ArrayList<>();
            for (PodTemplate pod : pods.values()) {
                results.add(executor.submit(() -> runPod(pod, secrets, configMaps, network, project, started)));
            }
            for (var result : results) {
                try {
                    System.out.println(result.get(UP_TIMEOUT.toMinutes(), TimeUnit.MINUTES));
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof AssertionError assertion) {
                        throw assertion;
                    }
                    throw e;
                }
            }
        } finally {
            for (String container : started) {
                podmanOutput("rm", "-f", "-t", "10", container);
            }
        }
    }

    private String runPod(
            PodTemplate pod,
            Map<String, Map<String, String>> secrets,
            Map<String, Map<String, String>> configMaps,
            List<String> network,
            String project,
            List<String> started)
            throws Exception {
        long begin = System.nanoTime();
        for (PodTemplate.Container init : pod.initContainers()) {
            List<String> command = new ArrayList<>(List.of("podman", "run", "--rm"));
            command.addAll(network);
            command.addAll(init.runOptions(init.environment(secrets, configMaps)));
            command.add(init.image());
            command.addAll(init.arguments());
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor())
                    .as("init container %s of %s:%n%s", init.name(), pod.deployment(), output)
                    .isZero();
            assertThat(output).contains("global compatibility BACKWARD").contains("_app (member of promptloop_");
        }
        long initialised = System.nanoTime();
        List<PodTemplate.Container> containers = pod.containers();
        assertThat(containers).hasSize(1);
        PodTemplate.Container service = containers.get(0);
        int probePort = freePort();
        String name = project + "-k8s-" + pod.deployment();
        List<String> command = new ArrayList<>(List.of("podman", "run", "-d", "--name", name));
        command.addAll(network);
        int apiPort = freePort();
        command.addAll(List.of("-p", "127.0.0.1:" + probePort + ":" + service.readinessPort()));
        command.addAll(List.of("-p", "127.0.0.1:" + apiPort + ":" + service.containerPort("http")));
        command.addAll(service.runOptions(service.environment(secrets, configMaps)));
        command.add(service.image());
        command.addAll(service.arguments());
        started.add(name);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor())
                .as(String.join(" ", command) + ":\n" + output)
                .isZero();
        String probe = "http://127.0.0.1:" + probePort + service.readinessPath();
        try {
            await(pod.deployment() + " ready on " + service.readinessPath() + " (port " + service.readinessPort() + ")")
                    .atMost(UP_TIMEOUT)
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .failFast(
                            pod.deployment() + " exited",
                            () -> podmanOutput("inspect", "--format", "{{.State.Status}}", name)
                                    .strip()
                                    .equals("exited"))
                    .until(() -> readiness(probe), status -> status.contains("\"UP\""));
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n--- podman logs " + name + " ---\n" + podmanLogs(name), e);
        }
        // the READER of the example Secret promptloop-http-users ({bcrypt} hash of change-me-reader) is let in
        String api = Map.of(
                        "ingest-service",
                        "/api/sessions",
                        "optimizer-service",
                        "/api/runs",
                        "abtest-service",
                        "/api/tests")
                .get(pod.deployment());
        get("http://127.0.0.1:" + apiPort + api, "reader:change-me-reader");
        return String.format(
                "rehearsal: Kubernetes pod %s: init container %d s, service ready %d s",
                pod.deployment(),
                TimeUnit.NANOSECONDS.toSeconds(initialised - begin),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - initialised));
    }

    private String readiness(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static String podmanLogs(String container) {
        try {
            Process process = new ProcessBuilder("podman", "logs", "--tail", "80", container)
                    .redirectErrorStream(true)
                    .start();
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no logs: " + e + ")";
        }
    }

    private static String ipOf(String container) throws IOException, InterruptedException {
        return podmanOutput(
                        "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container)
                .strip();
    }

    private String kustomize(String kustomization) throws IOException, InterruptedException {
        Process render = new ProcessBuilder("kubectl", "kustomize", kustomization)
                .directory(projectDirectory.toFile())
                .redirectErrorStream(true)
                .start();
        String rendered = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(render.waitFor())
                .as("kubectl kustomize " + kustomization + ":\n" + rendered)
                .isZero();
        return rendered;
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }

    private static String podmanOutput(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor())
                .as(String.join(" ", command) + ": " + output)
                .isZero();
        return output;
    }

    /**
     * {@code /actuator/prometheus} on each management port. With the shared service-support module (issue 8) it
     * needs no credentials; before it, the services still protect it, and the rehearsal checks it with the
     * documented admin user instead.
     */
    private void assertScrapes(Map<String, String> ports) throws Exception {
        boolean unauthenticated = Files.isDirectory(projectDirectory.resolve("service-support"));
        Map<String, String> dotEnv = dotEnv();
        for (String service : List.of("INGEST", "OPTIMIZER", "ABTEST")) {
            String url = "http://127.0.0.1:" + ports.get(service + "_MANAGEMENT_PORT") + "/actuator/prometheus";
            String credentials = unauthenticated
                    ? null
                    : "admin:" + dotEnv.get(service + "_ADMIN_PASSWORD").replaceFirst("^\\{noop}", "");
            String scrape = get(url, credentials);
            assertThat(scrape).as(url).contains("jvm_memory_used_bytes");
            // what the PrometheusRule's consumer-lag alert reads: the group's total lag per topic, read from the
            // broker by the service (a finite figure once it has asked the broker)
            String group = "promptloop-" + service.toLowerCase(Locale.ROOT);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(get(url, credentials).lines())
                            .as(url + ": promptloop_kafka_consumer_group_lag of group " + group)
                            .anySatisfy(line -> assertThat(line)
                                    .startsWith("promptloop_kafka_consumer_group_lag{")
                                    .contains("group=\"" + group + "\"")
                                    .doesNotEndWith("NaN")));
        }
        // the README's first request, with the admin password of .env
        get("http://127.0.0.1:" + ports.get("INGEST_PORT") + "/api/sessions", "admin:change-me");
        String abtest = get("http://127.0.0.1:" + ports.get("ABTEST_MANAGEMENT_PORT") + "/actuator/prometheus", null);
        assertThat(abtest)
                .containsPattern("(?m)^promptloop_outbox_backlog(\\{[^}]*})? \\d+\\.\\d+$")
                .containsPattern("(?m)^promptloop_outbox_oldest_age_seconds(\\{[^}]*})? ");
    }

    private void awaitHealthy(Compose compose) {
        for (String service :
                List.of("postgres", "kafka", "registry", "ingest-service", "optimizer-service", "abtest-service")) {
            try {
                await(service + " healthy")
                        .atMost(UP_TIMEOUT)
                        .pollInterval(Duration.ofSeconds(2))
                        .failFast(
                                service + " unhealthy",
                                () -> compose.health(service).equals("unhealthy"))
                        .until(() -> compose.health(service), "healthy"::equals);
            } catch (RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n--- logs ---\n" + compose.logs(), e);
            }
        }
    }

    /** Kafka and Apicurio from the jars the testkit resolved from Maven Central (deploy/ci/*); layers cached. */
    private void buildLocalInfrastructureImages() throws IOException {
        Properties testkit = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("testkit-build.properties")) {
            testkit.load(in);
        }
        Path context = Files.createDirectories(projectDirectory.resolve("deploy-tests/target/image-contexts"));

        Path kafka = recreate(context.resolve("kafka"));
        copyTree(projectDirectory.resolve("deploy/ci/kafka"), kafka);
        Path libs = Files.createDirectories(kafka.resolve("libs"));
        String classpath = Files.readString(Path.of(testkit.getProperty("kafka.classpath.file")))
                .strip();
        for (String jar : classpath.split(java.io.File.pathSeparator)) {
            Path source = Path.of(jar);
            Files.createLink(libs.resolve(source.getFileName()), source);
        }
        build("localhost/promptloop/kafka:ci", kafka);

        Path apicurio = recreate(context.resolve("apicurio"));
        copyTree(projectDirectory.resolve("deploy/ci/apicurio"), apicurio);
        copyTree(Path.of(testkit.getProperty("apicurio.home")), apicurio.resolve("apicurio-registry"));
        build("localhost/promptloop/apicurio-registry:ci", apicurio);
    }

    private void build(String tag, Path context) {
        int exit = podman(
                "build", "-q", "-t", tag, "-f", context.resolve("Containerfile").toString(), context.toString());
        assertThat(exit).as("podman build " + tag).isZero();
    }

    private static Path recreate(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (var walk = Files.walk(directory)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(directory);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private Map<String, String> dotEnv() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(projectDirectory.resolve(".env"))) {
            if (!line.isBlank() && !line.startsWith("#") && line.contains("=")) {
                values.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return values;
    }

    private String get(String url, String credentials) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (credentials != null) {
            request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("GET " + url + ": " + response.body())
                .isEqualTo(200);
        return response.body();
    }

    private static long scalar(String jdbc, String password, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbc, "promptloop_admin", password);
                PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int podman(String... arguments) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).inheritIO().start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        return FreePorts.forAnotherProcess();
    }
}

package io.promptloop.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.schemas.Topics;
import io.promptloop.testkit.DatabaseLogin;
import io.promptloop.testkit.PoisonRecords;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The console in a real Chromium against the real stack, after the closed loop has run (a completed optimization
 * run, a concluded A/B test rolled out): every page loads without browser console errors and shows the figures the
 * database holds (asserted against SQL as the superuser); the operator's actions work end to end. A screenshot of
 * every page goes to {@code console/target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int POISON = 5;

    private DevStack stack;
    private DatabaseLogin db;
    private String consoleUrl;
    private ClosedLoopIT.Run run;
    private ClosedLoopIT.AbTest test;
    private ChromeDriver browser;
    private Path userData;
    private Path logs;
    private final Path screenshots =
            Path.of(System.getProperty("user.dir")).resolveSibling("console").resolve("target/screenshots");

    @BeforeAll
    void theLoopHasRun(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "chromium and chromedriver are not installed (tools/setup/console.sh installs them as root)");
        DevStack.configureLogging();
        Path project = ClosedLoopIT.projectWith(
                temp, List.of("ingest-service", "optimizer-service", "abtest-service", "console"));
        stack = new DevStack(ClosedLoopIT.loopOptions(temp, project), System.out);
        logs = temp.resolve("data").resolve("logs");
        stack.start();
        db = stack.superuser();
        consoleUrl = stack.banner()
                .lines()
                .filter(l -> l.startsWith(" console   "))
                .map(l -> l.trim().split("\\s+")[1])
                .findFirst()
                .orElseThrow(() -> new AssertionError("no console line in the banner:\n" + stack.banner()));
        long deadline = System.nanoTime() + ClosedLoopIT.LOOP_TIMEOUT.toNanos();
        run = await("a completed optimization run")
                .atMost(ClosedLoopIT.left(deadline))
                .pollInterval(ClosedLoopIT.POLL)
                .until(() -> ClosedLoopIT.firstCompletedRun(db), java.util.Optional::isPresent)
                .orElseThrow();
        await("an A/B test of run " + run.runId())
                .atMost(ClosedLoopIT.left(deadline))
                .pollInterval(ClosedLoopIT.POLL)
                .until(() -> ClosedLoopIT.testOf(db, run.runId()), java.util.Optional::isPresent);
        test = await("the test of run " + run.runId() + " settled")
                .atMost(ClosedLoopIT.left(deadline))
                .pollInterval(ClosedLoopIT.POLL)
                .until(() -> ClosedLoopIT.testOf(db, run.runId()).orElseThrow(), ClosedLoopIT::settled);
        Files.createDirectories(screenshots);
        userData = Files.createTempDirectory(temp, "chromium-profile");
        browser = chromium(userData);
        browser.get(consoleUrl + "/login");
        browser.findElement(By.id("username")).sendKeys(Credentials.ADMIN_USER);
        browser.findElement(By.id("password")).sendKeys(stack.adminPassword());
        browser.findElement(By.id("login")).click();
        await("logged in")
                .atMost(Duration.ofSeconds(20))
                .until(() -> browser.findElements(By.cssSelector(".who")).size() == 1);
    }

    @AfterAll
    void stop() {
        if (browser != null) browser.quit();
        if (stack != null) stack.close();
    }

    @AfterEach
    void noConsoleErrors() {
        List<LogEntry> severe = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) severe.add(e);
        }
        assertThat(severe)
                .as("errors in the browser console; the console's log says:\n" + consoleLogErrors())
                .isEmpty();
    }

    @Test
    @Order(1)
    void shouldShowTheActiveInstructionItsTestAndTheLastRunsOnTheOverview() throws Exception {
        // the loop goes on beside the test (the optimizer starts runs, tests conclude): the page is loaded again until
        // it and the database agree (a run started between the page's query and the test's was seen in CI)
        await("the overview shows what the database holds")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(this::overviewAgreesWithTheDatabase);
        screenshot("overview");
    }

    private void overviewAgreesWithTheDatabase() throws Exception {
        open("/");
        Map<String, Object> active = row("""
                SELECT version, promoted_by_test_id::text AS promoted, live_test_id::text AS live
                  FROM analytics.v_active_instructions WHERE agent_name = ? AND predictor_name IS NULL
                """, ClosedLoopIT.AGENT);
        WebElement card = browser.findElement(By.cssSelector("section[data-agent='" + ClosedLoopIT.AGENT + "']"));
        assertThat(card.findElement(By.cssSelector(".active-version")).getText())
                .isEqualTo("v" + active.get("version"));
        assertThat(card.findElement(By.cssSelector(".promoted-by a")).getAttribute("href"))
                .endsWith("/tests/" + active.get("promoted"));
        assertThat(active.get("promoted")).isEqualTo(test.testId().toString());
        if (active.get("live") == null) {
            assertThat(card.findElement(By.cssSelector(".live-none")).getText()).isEqualTo("none");
        } else {
            assertThat(card.findElement(By.cssSelector(".live-test")).getText()).isEqualTo(active.get("live"));
        }
        assertThat(card.findElements(By.cssSelector("table.runs tbody tr")).stream()
                        .map(r -> r.getAttribute("data-run"))
                        .toList())
                .as("the last runs, newest first")
                .isEqualTo(column("""
                        SELECT run_id::text FROM optimizer.prompt_optimization_runs
                         WHERE agent_name = ? AND predictor_name IS NULL ORDER BY created_at DESC LIMIT 5
                        """, ClosedLoopIT.AGENT))
                .contains(run.runId().toString());
    }

    @Test
    @Order(2)
    void shouldListFilterAndExportSessionsAndShowATurnsImprovementNotes() throws Exception {
        // the simulated agent goes on publishing sessions: the page and the database agree at some moment
        await("the sessions page counts the ended sessions the database holds")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    open("/sessions?agent=" + ClosedLoopIT.AGENT + "&status=ended");
                    String shown = browser.findElement(By.id("total")).getText();
                    return shown.equals(column(
                                    "SELECT count(*) FROM conversation.prompt_tuning_sessions"
                                            + " WHERE agent_name = ? AND session_end IS NOT NULL",
                                    ClosedLoopIT.AGENT)
                            .getFirst());
                });

        // a session with improvement notes: its page shows every turn and every note the database holds
        Map<String, Object> noted = row("""
                SELECT s.id::text AS id, s.total_turns AS turns, s.total_improvements AS notes
                  FROM conversation.prompt_tuning_sessions s
                 WHERE s.agent_name = ? AND s.total_improvements > 0 AND s.session_end IS NOT NULL
                 ORDER BY s.session_start LIMIT 1
                """, ClosedLoopIT.AGENT);
        open("/sessions/" + noted.get("id"));
        assertThat(browser.findElements(By.cssSelector("section.turn"))).hasSize((Integer) noted.get("turns"));
        List<String> notes = browser.findElements(By.cssSelector("span.improvement")).stream()
                .map(WebElement::getText)
                .toList();
        assertThat(notes)
                .containsExactlyInAnyOrderElementsOf(column(
                        "SELECT improvement_note FROM conversation.tuning_improvements WHERE session_id = ?::uuid",
                        noted.get("id")));
        screenshot("session");

        // the export, fetched by the browser with its session: one CSV line per turn and note, as ingest writes it
        Object csv = browser.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0]).then(r => r.text()).then(done, e => done('failed: ' + e));",
                consoleUrl + "/sessions/" + noted.get("id") + "/export.csv");
        assertThat(csv.toString()).startsWith("session_id,tester_email,turn_number");
        assertThat(csv.toString()).contains(notes.getFirst().split("\n")[0]);

        open("/sessions?agent=" + ClosedLoopIT.AGENT);
        screenshot("sessions");
    }

    @Test
    @Order(3)
    void shouldShowTheRunsBudgetCandidatesFrontAndLineageAsTheDatabaseHoldsThem() throws Exception {
        open("/runs?agent=" + ClosedLoopIT.AGENT);
        assertThat(browser.findElements(By.cssSelector("tr[data-run='" + run.runId() + "']")))
                .hasSize(1);

        open("/runs/" + run.runId());
        Map<String, Object> r = row(
                "SELECT status::text AS status, metric_calls_spent, max_metric_calls"
                        + " FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                run.runId());
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo(r.get("status"));
        assertThat(browser.findElement(By.id("budget")).getText())
                .isEqualTo(r.get("metric_calls_spent") + " / " + r.get("max_metric_calls"));
        List<String> validation = column(
                "SELECT coalesce(to_char(validation_score, 'FM0.0000'), '—') FROM optimizer.candidates"
                        + " WHERE run_id = ? ORDER BY candidate_index",
                run.runId());
        assertThat(browser.findElements(By.cssSelector("#candidates td.validation")).stream()
                        .map(WebElement::getText)
                        .toList())
                .isEqualTo(validation);
        long stars = Long.parseLong(column("""
                SELECT count(*) FROM optimizer.candidate_scores s
                 WHERE s.run_id = ? AND s.split = 'validation'
                   AND s.score >= (SELECT max(score) FROM optimizer.candidate_scores b
                                    WHERE b.run_id = s.run_id AND b.split = 'validation' AND b.example_id = s.example_id)
                """, run.runId()).getFirst());
        assertThat(browser.findElements(By.cssSelector("#scores td.best"))).hasSize((int) stars);
        assertThat(browser.findElements(By.cssSelector("#progress-table tbody tr")))
                .hasSize(Integer.parseInt(column(
                                "SELECT count(DISTINCT s.candidate_id) FROM optimizer.candidate_scores s"
                                        + " JOIN optimizer.candidates c ON c.candidate_id = s.candidate_id"
                                        + " WHERE s.run_id = ? AND s.split = 'validation' AND c.validation_score IS NOT NULL",
                                run.runId())
                        .getFirst()));
        for (String chart : List.of("progress-chart", "lineage-chart", "front-chart")) {
            assertThat(browser.findElements(By.cssSelector("#" + chart + " canvas")))
                    .as("ECharts drew " + chart)
                    .isNotEmpty();
        }
        screenshot("run");

        // a child candidate: its instruction as stored, and its diff to the parent
        Map<String, Object> child = row("""
                SELECT candidate_index, instruction_text FROM optimizer.candidates
                 WHERE run_id = ? AND cardinality(parent_candidate_ids) > 0 ORDER BY candidate_index LIMIT 1
                """, run.runId());
        browser.findElement(By.cssSelector("tr[data-candidate='" + child.get("candidate_index") + "'] a"))
                .click();
        assertThat(browser.findElement(By.id("instruction")).getText())
                .isEqualTo(child.get("instruction_text").toString().strip());
        assertThat(browser.findElements(By.cssSelector("section.diff"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("section.diff ins, section.diff del")))
                .isNotEmpty();
        screenshot("candidate");
    }

    @Test
    @Order(4)
    void shouldShowTheConcludedTestsArmsLooksSrmAndRolloutTimelineAsTheDatabaseHoldsThem() throws Exception {
        open("/tests?agent=" + ClosedLoopIT.AGENT);
        assertThat(browser.findElements(By.cssSelector("tr[data-test='" + test.testId() + "']")))
                .hasSize(1);

        open("/tests/" + test.testId());
        Map<String, Object> t = row(
                "SELECT status::text AS status, baseline_n, treatment_n FROM analytics.v_ab_test_results WHERE test_id = ?",
                test.testId());
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo(t.get("status"));
        assertThat(browser.findElement(By.cssSelector("tr[data-arm='baseline'] .n"))
                        .getText())
                .isEqualTo(t.get("baseline_n").toString());
        assertThat(browser.findElement(By.cssSelector("tr[data-arm='treatment'] .n"))
                        .getText())
                .isEqualTo(t.get("treatment_n").toString());
        List<String> decisions = column(
                "SELECT decision::text FROM abtest.ab_interim_analyses WHERE test_id = ? AND metric <> 'guardrails'"
                        + " ORDER BY analysis_number",
                test.testId());
        assertThat(browser.findElements(By.cssSelector("#looks td.decision")).stream()
                        .map(WebElement::getText)
                        .toList())
                .isEqualTo(decisions);
        assertThat(decisions).as("the test stopped at a decisive look").anyMatch(d -> !d.equals("continue"));
        assertThat(browser.findElements(By.cssSelector("#looks tr.decisive"))).isNotEmpty();
        List<String> lifts = column(
                "SELECT coalesce(to_char(relative_lift * 100, 'FM9990.00'), '—') FROM abtest.ab_interim_analyses"
                        + " WHERE test_id = ? AND metric <> 'guardrails' ORDER BY analysis_number",
                test.testId());
        assertThat(browser.findElements(By.cssSelector("#looks td.lift")).stream()
                        .map(WebElement::getText)
                        .toList())
                .isEqualTo(lifts);
        // the routing changes from the test's creation on (no later test exists yet): start, rollout, watch done
        assertThat(browser.findElements(By.cssSelector("#routing td.reason")).stream()
                        .map(WebElement::getText)
                        .toList())
                .isEqualTo(column(
                        "SELECT r.reason FROM abtest.routing_changes r JOIN abtest.prompt_ab_tests t"
                                + " ON r.agent_name = t.agent_name AND r.predictor_name IS NULL"
                                + " AND r.created_at >= t.created_at WHERE t.test_id = ? ORDER BY r.created_at",
                        test.testId()))
                .containsSubsequence("test_started", "rolled_out", "monitoring_complete");
        List<String> srm = column(
                "SELECT to_char(chi_squared_statistic, 'FM9999990.000') FROM abtest.ab_srm_checks"
                        + " WHERE test_id = ? ORDER BY checked_at DESC LIMIT 1",
                test.testId());
        if (!srm.isEmpty()) {
            assertThat(browser.findElement(By.cssSelector("#srm td.chi2")).getText())
                    .isEqualTo(srm.getFirst());
        }
        assertThat(browser.findElements(By.cssSelector("#lift-chart canvas"))).isNotEmpty();
        screenshot("ab-test");
    }

    @Test
    @Order(5)
    void shouldListInstructionVersionsAndDiffTwo() throws Exception {
        // a run that completes beside the test adds a version: loaded again until the page and the database agree
        await("the instructions page lists the versions the database holds")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    open("/instructions?agent=" + ClosedLoopIT.AGENT);
                    assertThat(browser.findElements(By.cssSelector("tr[data-instruction]")).stream()
                                    .map(e -> e.getAttribute("data-instruction"))
                                    .toList())
                            .isEqualTo(column(
                                    "SELECT instruction_id::text FROM optimizer.optimized_instructions"
                                            + " WHERE agent_name = ? ORDER BY predictor_name NULLS FIRST, version DESC",
                                    ClosedLoopIT.AGENT));
                });
        browser.findElement(
                        By.cssSelector("tr[data-instruction='" + run.baselineInstructionId() + "'] input[name='from']"))
                .click();
        browser.findElement(
                        By.cssSelector("tr[data-instruction='" + run.optimizedInstructionId() + "'] input[name='to']"))
                .click();
        screenshot("instructions");
        browser.findElement(By.id("diff")).click();
        assertThat(browser.getCurrentUrl()).contains("/instructions/diff?");
        assertThat(browser.findElements(By.cssSelector("#diff ins"))).isNotEmpty();
        screenshot("instruction-diff");
    }

    @Test
    @Order(6)
    void shouldCreateAndStartATestAndStopItSoThatRoutingGoesBackToTheBaseline() throws Exception {
        open("/tests/new?agent=" + ClosedLoopIT.AGENT);
        // the optimized instruction is active now: put the old baseline to the test against it
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("treatment")))
                .selectByValue(run.baselineInstructionId().toString());
        screenshot("ab-test-new");
        browser.findElement(By.id("create")).click();
        confirm();
        await("the new test's page")
                .atMost(Duration.ofSeconds(30))
                .until(() -> browser.getCurrentUrl().matches(".*/tests/[0-9a-f-]{36}$"));
        String newTest = browser.getCurrentUrl().replaceAll(".*/tests/", "");
        assertThat(browser.findElements(By.id("action-error")))
                .as("no API error")
                .isEmpty();
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("running");
        assertThat(column("SELECT status::text FROM abtest.prompt_ab_tests WHERE test_id = ?::uuid", newTest))
                .containsExactly("running");

        // while it is live, abtest-service refuses to activate a version by hand, and the page says why
        open("/instructions/" + run.baselineInstructionId());
        act("#action-activate button");
        assertThat(browser.findElement(By.id("action-error")).getText())
                .startsWith("abtest-service: test " + newTest + " is live for " + ClosedLoopIT.AGENT);
        screenshot("instruction-activate-refused");

        open("/tests/" + newTest);
        act("#action-stop button");
        assertThat(browser.findElements(By.id("action-error")))
                .as("no API error")
                .isEmpty();
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("stopped");
        await("routing back to the baseline " + run.optimizedInstructionId())
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> column("""
                        SELECT active_instruction_id::text || ' ' || coalesce(traffic_split::text, 'none')
                          FROM abtest.routing_changes WHERE agent_name = ? AND predictor_name IS NULL
                         ORDER BY created_at DESC LIMIT 1
                        """, ClosedLoopIT.AGENT),
                        last -> last.equals(List.of(run.optimizedInstructionId() + " none")));
        screenshot("ab-test-stopped");
    }

    @Test
    @Order(7)
    void shouldActivateAVersionByHandSoThatTheRoutingTopicAndTheOptimizerNameIt() throws Exception {
        // no test is live any more (stopped above): route everyone back to the loop's first baseline
        String chosen = run.baselineInstructionId().toString();
        open("/instructions/" + chosen);
        assertThat(browser.findElement(By.id("active")).getText()).isEqualTo("no");
        Object clicked = row("SELECT now() AS now").get("now"); // the database's clock, as activated_at
        act("#action-activate button");
        assertThat(browser.findElements(By.id("action-error")))
                .as("no API error")
                .isEmpty();
        assertThat(browser.findElement(By.id("action-message")).getText()).contains("is routed to every unit now");

        // The loop goes on beside the test: a run may complete and start a test after the activation, so the check
        // is on the activation's record, after the stop of the test above, not on the topic's last record. Runs
        // that measured against the old baseline are not tested any more (RunCompletedListener), so every later
        // record belongs to a test whose baseline is the activated version.
        await("the routing topic names the activated version")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    List<InstructionRouting> routing =
                            ClosedLoopIT.routingHistory(stack.kafkaBootstrapServers(), stack.registryApiV3Url());
                    int stopped = lastIndexOf(routing, "test_stopped");
                    int activated = lastIndexOf(routing, "activated_by_operator");
                    List<String> tail = routing.subList(Math.max(0, stopped), routing.size()).stream()
                            .map(r -> r.getReason() + " " + r.getActiveInstructionId() + " test "
                                    + (r.getTest() == null
                                            ? "none"
                                            : r.getTest().getTestId()))
                            .toList();
                    assertThat(activated)
                            .as("activation after the stop in %s", tail)
                            .isGreaterThan(stopped);
                    InstructionRouting record = routing.get(activated);
                    assertThat(record.getActiveInstructionId()).isEqualTo(chosen);
                    assertThat(record.getTest()).isNull();
                    for (InstructionRouting later : routing.subList(activated + 1, routing.size())) {
                        assertThat(later.getTest())
                                .as("a later record without a test in %s", tail)
                                .isNotNull();
                        assertThat(column(
                                        "SELECT baseline_instruction_id::text FROM abtest.prompt_ab_tests"
                                                + " WHERE test_id = ?::uuid",
                                        later.getTest().getTestId().toString()))
                                .as("the baseline of a later test in %s", tail)
                                .containsExactly(chosen);
                    }
                });
        await("the optimizer's active pointer moved on the version")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> column(
                                "SELECT instruction_id::text FROM optimizer.optimized_instructions"
                                        + " WHERE agent_name = ? AND predictor_name IS NULL AND activated_at >= ?",
                                ClosedLoopIT.AGENT,
                                clicked),
                        moved -> moved.contains(chosen));
        open("/instructions/" + chosen);
        assertThat(browser.findElement(By.id("active")).getText()).startsWith("yes, since ");
        assertThat(browser.findElements(By.id("action-activate")))
                .as("no button for the active version")
                .isEmpty();
        screenshot("instruction-activated");
    }

    private static int lastIndexOf(List<InstructionRouting> routing, String reason) {
        for (int i = routing.size() - 1; i >= 0; i--) {
            if (reason.contentEquals(routing.get(i).getReason())) return i;
        }
        return -1;
    }

    @Test
    @Order(8)
    void shouldShowTheDeadLettersOfTheLastHourAndTheConsumerLagAsTheBrokerHoldsThem() throws Exception {
        // records no consumer can read: ingest dead-letters them to agent-evaluations-dlt (the optimizer skips them)
        try (var poison = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", stack.kafkaBootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int i = 0; i < POISON; i++) {
                poison.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                        Topics.AGENT_EVALUATIONS.name(), "console-it", PoisonRecords.poison(i)));
            }
        }
        // the dead letters recounted record by record, every group's lag recomputed with a plain consumer
        // (committed and end offsets); the simulated agent goes on, so page and broker agree at some moment
        String evaluationsDlt = Topics.AGENT_EVALUATIONS.deadLetterTopic();
        await("the overview's Kafka figures equal the broker's")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    open("/");
                    WebElement kafka = browser.findElement(By.id("kafka"));
                    assertThat(kafka.findElements(By.id("kafka-error"))).isEmpty();
                    Instant since = Instant.ofEpochMilli(Long.parseLong(kafka.getAttribute("data-since")));
                    Map<String, String> shownLag = new java.util.TreeMap<>();
                    for (WebElement row : kafka.findElements(By.cssSelector("#lag tbody tr"))) {
                        shownLag.put(
                                row.getAttribute("data-group") + " " + row.getAttribute("data-topic"),
                                row.findElement(By.cssSelector(".lag")).getText());
                    }
                    Map<String, String> shownDead = new java.util.TreeMap<>();
                    for (WebElement row : kafka.findElements(By.cssSelector("#dead-letters tbody tr"))) {
                        shownDead.put(
                                row.getAttribute("data-topic"),
                                row.findElement(By.cssSelector(".count")).getText());
                    }
                    assertThat(shownDead.get(evaluationsDlt)).isNotEqualTo("—");
                    assertThat(Long.parseLong(shownDead.get(evaluationsDlt)))
                            .as("the poison records dead-lettered by ingest")
                            .isGreaterThanOrEqualTo(POISON);
                    assertThat(shownDead).as("dead letters since " + since).isEqualTo(deadLettersSince(since));
                    assertThat(shownLag).as("consumer lag").isEqualTo(lagOf(shownLag.keySet()));
                });
        browser.executeScript("document.getElementById('kafka').scrollIntoView()");
        screenshot("overview-kafka");
    }

    /** Every catalogue dead-letter topic: its records at or after {@code since}, read one by one ("—": no topic). */
    private Map<String, String> deadLettersSince(Instant since) {
        Map<String, String> counted = new java.util.TreeMap<>();
        try (var consumer = consumer(null)) {
            for (Topics.Topic<?> topic : Topics.ALL) {
                String name = topic.deadLetterTopic();
                List<TopicPartition> partitions = consumer.listTopics().containsKey(name)
                        ? consumer.partitionsFor(name).stream()
                                .map(p -> new TopicPartition(name, p.partition()))
                                .toList()
                        : List.of();
                if (partitions.isEmpty()) {
                    counted.put(name, "—");
                    continue;
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                long n = 0;
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (var r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))
                                && r.timestamp() >= since.toEpochMilli()) n++;
                    }
                }
                counted.put(name, Long.toString(n));
            }
        }
        return counted;
    }

    /**
     * The lag of each "group topic" in {@code rows}, by a consumer of the group's id that only asks (it joins
     * nothing): end offsets as a read_committed consumer sees them, minus the committed offsets; a partition never
     * committed from its beginning.
     */
    private Map<String, String> lagOf(java.util.Set<String> rows) {
        Map<String, java.util.List<String>> topicsByGroup = new java.util.TreeMap<>();
        for (String row : rows) {
            topicsByGroup
                    .computeIfAbsent(row.split(" ")[0], g -> new ArrayList<>())
                    .add(row.split(" ")[1]);
        }
        Map<String, String> lag = new java.util.TreeMap<>();
        topicsByGroup.forEach((group, topics) -> {
            try (var consumer = consumer(group)) {
                var existing = consumer.listTopics();
                for (String topic : topics) {
                    if (!existing.containsKey(topic)) {
                        lag.put(group + " " + topic, "—");
                        continue;
                    }
                    var partitions = existing.get(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(java.util.stream.Collectors.toSet());
                    var committed = consumer.committed(partitions);
                    var end = consumer.endOffsets(partitions);
                    var begin = consumer.beginningOffsets(partitions);
                    long sum = 0;
                    for (TopicPartition tp : partitions) {
                        var c = committed.get(tp);
                        sum += Math.max(0, end.get(tp) - (c == null ? begin.get(tp) : c.offset()));
                    }
                    lag.put(group + " " + topic, Long.toString(sum));
                }
            }
        });
        return lag;
    }

    private org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer(String group) {
        Map<String, Object> config = new java.util.HashMap<>();
        config.put("bootstrap.servers", stack.kafkaBootstrapServers());
        config.put("isolation.level", "read_committed");
        config.put("enable.auto.commit", false);
        if (group != null) config.put("group.id", group);
        return new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                config,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    /** The console's ERROR lines and exceptions, to say why a page failed. */
    private String consoleLogErrors() {
        try (var lines = Files.lines(logs.resolve("console.log"))) {
            return String.join(
                    "\n",
                    lines.filter(l -> l.contains(" ERROR ") || l.contains("Exception"))
                            .limit(40)
                            .toList());
        } catch (IOException | RuntimeException e) {
            return "(no console log: " + e + ")";
        }
    }

    /** Presses an action's button, accepts its confirmation and waits for the page that says how it went. */
    private void act(String button) {
        browser.findElement(By.cssSelector(button)).click();
        confirm();
        await(button + " answered")
                .atMost(Duration.ofSeconds(30))
                .until(() -> !browser.findElements(By.id("action-message")).isEmpty()
                        || !browser.findElements(By.id("action-error")).isEmpty());
    }

    /** Accepts the confirmation every action asks for. */
    private void confirm() {
        new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(10))
                .until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent())
                .accept();
    }

    private void open(String path) {
        browser.get(consoleUrl + path);
        assertThat(browser.getTitle()).as("title of " + path).endsWith("promptloop console");
    }

    private void screenshot(String name) throws IOException {
        File png = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private Map<String, Object> row(String sql, Object... params) throws SQLException {
        try (Connection c = ClosedLoopIT.connect(db);
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) s.setObject(i + 1, params[i]);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("a row of " + sql).isTrue();
                Map<String, Object> row = new java.util.HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                return row;
            }
        }
    }

    private List<String> column(String sql, Object... params) throws SQLException {
        try (Connection c = ClosedLoopIT.connect(db);
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) s.setObject(i + 1, params[i]);
            List<String> values = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) values.add(rs.getString(1));
            }
            return values;
        }
    }

    /**
     * Debian's Chromium, headless, quiet on the network (no background, component or sync traffic: the machine's
     * network is closed), with a fresh profile; as root it needs --no-sandbox.
     */
    private static ChromeDriver chromium(Path userData) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + userData,
                "--window-size=1440,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}

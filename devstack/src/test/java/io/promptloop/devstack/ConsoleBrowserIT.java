package io.promptloop.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promptloop.testkit.DatabaseLogin;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
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

    private DevStack stack;
    private DatabaseLogin db;
    private String consoleUrl;
    private ClosedLoopIT.Run run;
    private ClosedLoopIT.AbTest test;
    private ChromeDriver browser;
    private Path userData;
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
        stack = new DevStack(
                ClosedLoopIT.loopOptions(temp, project),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
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
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    @Test
    @Order(1)
    void shouldShowTheActiveInstructionItsTestAndTheLastRunsOnTheOverview() throws Exception {
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
        List<String> runs = card.findElements(By.cssSelector("table.runs tbody tr")).stream()
                .map(r -> r.getAttribute("data-run"))
                .toList();
        List<String> expectedRuns = column("""
                SELECT run_id::text FROM optimizer.prompt_optimization_runs
                 WHERE agent_name = ? AND predictor_name IS NULL ORDER BY created_at DESC LIMIT 5
                """, ClosedLoopIT.AGENT);
        assertThat(runs).isEqualTo(expectedRuns).contains(run.runId().toString());
        screenshot("overview");
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

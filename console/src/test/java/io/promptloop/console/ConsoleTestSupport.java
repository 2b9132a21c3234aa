package io.promptloop.console;

import io.promptloop.testkit.DatabaseLogin;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.PromptloopIntegrationTest;
import io.promptloop.testkit.ServiceLogin;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The console over the test kit's real PostgreSQL, logged in as the read-only analyst; two users (an OPERATOR
 * and a READER); superuser SQL to set up rows and to compute what a page must show.
 */
@PromptloopIntegrationTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ConsoleTestSupport {

    static final PromptloopInfrastructure INFRA = PromptloopInfrastructure.shared();
    static final String OPERATOR = "operator";
    static final String READER = "reader";
    static final String PASSWORD = "console-secret";

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        DatabaseLogin analyst = INFRA.databaseLogin(ServiceLogin.ANALYST);
        registry.add("spring.datasource.url", analyst::jdbcUrl);
        registry.add("spring.datasource.username", analyst::user);
        registry.add("spring.datasource.password", analyst::password);
        registry.add("promptloop.security.users[0].name", () -> OPERATOR);
        registry.add("promptloop.security.users[0].password", () -> "{noop}" + PASSWORD);
        registry.add("promptloop.security.users[0].roles", () -> "READER,OPERATOR");
        registry.add("promptloop.security.users[1].name", () -> READER);
        registry.add("promptloop.security.users[1].password", () -> "{noop}" + PASSWORD);
        registry.add("promptloop.security.users[1].roles", () -> "READER");
        registry.add("promptloop.console.service-user", () -> "console");
        registry.add("promptloop.console.service-password", () -> "unused-here");
        registry.add("promptloop.console.kafka.bootstrap-servers", INFRA::kafkaBootstrapServers);
        // the overview's consumer lag: one group of the tests' own, set up by KafkaFiguresIT
        registry.add("promptloop.console.kafka.groups[0].name", () -> KafkaFiguresIT.GROUP);
        registry.add("promptloop.console.kafka.groups[0].topics", () -> KafkaFiguresIT.TOPIC);
    }

    static JdbcClient superuser() {
        DatabaseLogin su = INFRA.superuserLogin();
        return JdbcClient.create(new DriverManagerDataSource(su.jdbcUrl(), su.user(), su.password()));
    }

    /** A cookie-keeping client that logs in through the form, as a browser does. */
    final class WebSession {
        private final HttpClient http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(url(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, Map<String, String> form) throws IOException, InterruptedException {
            String body = form.entrySet().stream()
                    .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            return http.send(
                    HttpRequest.newBuilder(url(path))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** Logs in by the form (with the login page's CSRF token); returns the response to the form post. */
        HttpResponse<String> login(String user, String password) throws IOException, InterruptedException {
            String token = csrfToken(get("/login").body());
            return post("/login", Map.of("username", user, "password", password, "_csrf", token));
        }

        String csrfTokenOf(String path) throws IOException, InterruptedException {
            return csrfToken(get(path).body());
        }
    }

    static String csrfToken(String html) {
        Matcher m = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
                .matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF token in the page:\n" + html);
        }
        return m.group(1);
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}

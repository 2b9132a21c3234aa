package io.promptloop.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may see and who may act: anonymous 401, READER sees but may not act (403), every form needs its CSRF token. */
class ConsoleSecurityIT extends ConsoleTestSupport {

    @Test
    void shouldAnswerAnonymousWith401AndTheLoginForm() throws Exception {
        var page = new WebSession().get("/");
        assertThat(page.statusCode()).isEqualTo(401);
        assertThat(page.body()).contains("name=\"username\"").contains("name=\"_csrf\"");
        assertThat(new WebSession().get("/tests").statusCode()).isEqualTo(401);
        var readiness = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                        "http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode())
                .as("readiness on the management port, no login")
                .isEqualTo(200);
    }

    @Test
    void shouldRejectAWrongPassword() throws Exception {
        var login = new WebSession().login(OPERATOR, "wrong");
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
    }

    @Test
    void shouldLetAReaderSeeButNotAct() throws Exception {
        WebSession reader = new WebSession();
        assertThat(reader.login(READER, PASSWORD).statusCode()).isEqualTo(302);
        var overview = reader.get("/");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains(">reader<");
        String token = csrfToken(overview.body());
        var action =
                reader.post("/tests/00000000-0000-0000-0000-000000000000/stop", Map.of("_csrf", token, "reason", "x"));
        assertThat(action.statusCode()).as("READER posting an action").isEqualTo(403);
    }

    @Test
    void shouldRejectAnOperatorsFormWithoutItsCsrfToken() throws Exception {
        WebSession operator = new WebSession();
        assertThat(operator.login(OPERATOR, PASSWORD).statusCode()).isEqualTo(302);
        var action = operator.post("/tests/00000000-0000-0000-0000-000000000000/stop", Map.of("reason", "x"));
        assertThat(action.statusCode())
                .as("OPERATOR posting without the CSRF token")
                .isEqualTo(403);
        var forged = operator.post(
                "/tests/00000000-0000-0000-0000-000000000000/stop", Map.of("_csrf", "forged", "reason", "x"));
        assertThat(forged.statusCode())
                .as("OPERATOR posting a wrong CSRF token")
                .isEqualTo(403);
    }
}

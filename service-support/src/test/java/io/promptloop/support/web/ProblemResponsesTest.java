package io.promptloop.support.web;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.validation.annotation.Validated;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** Each kind of bad request, answered as an RFC 9457 problem that names the field. */
class ProblemResponsesTest {

    record Run(
            @NotBlank String agent,
            @Max(10_000) Integer maxMetricCalls,
            @DecimalMax("1") Double split,
            List<Double> steps) {}

    @Validated
    @RestController
    static class Endpoints {
        @PostMapping("/api/runs")
        String start(@Valid @RequestBody Run run) {
            return "ok";
        }

        @GetMapping("/api/sessions")
        String list(@RequestParam int size, @RequestParam(required = false) java.time.Instant from) {
            return "ok";
        }

        @GetMapping("/api/down")
        String down() {
            throw new CannotGetJdbcConnectionException(
                    "no connection", new SQLTransientConnectionException("pool - Connection is not available"));
        }
    }

    private final Problems problems = new Problems(JsonMapper.builder().build());
    private final MockMvc mvc;

    ProblemResponsesTest() {
        var validator = new LocalValidatorFactoryBean();
        validator.afterPropertiesSet();
        mvc = MockMvcBuilders.standaloneSetup(new Endpoints())
                .setControllerAdvice(new ProblemResponses())
                .setValidator(validator)
                .addFilters(new RequestSizeLimitFilter(100, problems))
                .build();
    }

    @Test
    void shouldNameTheLineOfMalformedJson() throws Exception {
        mvc.perform(post("/api/runs").contentType(MediaType.APPLICATION_JSON).content("{\"agent\": \"a\",,}"))
                .andExpect(status().isBadRequest())
                .andExpect(header().string("Content-Type", containsString("application/problem+json")))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.errors[0].field").value("body"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("line 1")));
    }

    @Test
    void shouldNameAFieldOfTheWrongType() throws Exception {
        mvc.perform(post("/api/runs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"agent\":\"a\",\"maxMetricCalls\":\"many\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("maxMetricCalls"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("many")));
        mvc.perform(post("/api/runs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"agent\":\"a\",\"steps\":[0.5,\"x\"]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("steps[1]"));
    }

    @Test
    void shouldNameEveryInvalidField() throws Exception {
        mvc.perform(post("/api/runs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"agent\":\" \",\"maxMetricCalls\":20000}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors.length()").value(2))
                .andExpect(jsonPath("$.detail").value(containsString("agent")))
                .andExpect(jsonPath("$.detail").value(containsString("maxMetricCalls")));
    }

    @Test
    void shouldAskForAMissingBody() throws Exception {
        mvc.perform(post("/api/runs").contentType(MediaType.APPLICATION_JSON))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("body"))
                .andExpect(jsonPath("$.errors[0].message").value("is required"));
    }

    @Test
    void shouldNameBadAndMissingQueryParameters() throws Exception {
        mvc.perform(get("/api/sessions").param("size", "abc"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("size"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("abc")));
        mvc.perform(get("/api/sessions").param("size", "5").param("from", "yesterday"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("from"));
        mvc.perform(get("/api/sessions"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("size"))
                .andExpect(jsonPath("$.errors[0].message").value("is required"));
    }

    @Test
    void shouldRefuseABodyOverTheLimitWith413() throws Exception {
        String big = "{\"agent\":\"" + "x".repeat(200) + "\"}";
        mvc.perform(post("/api/runs").contentType(MediaType.APPLICATION_JSON).content(big))
                .andExpect(status().is(413))
                .andExpect(jsonPath("$.detail").value(containsString("promptloop.http.max-request-size")));
    }

    @Test
    void shouldAnswer503WhenTheDatabaseCannotBeReached() throws Exception {
        mvc.perform(get("/api/down"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(jsonPath("$.detail").value(containsString("database")));
    }
}

package io.promptloop.support.health;

import io.promptloop.support.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * While the last background check found PostgreSQL unreachable, API requests are answered 503 with a problem and
 * {@code Retry-After} at once, instead of each waiting out the connection pool. Until the check notices, a request
 * waits at most the pool's bounded time-out and is answered 503 by the problem handler.
 */
public class UnavailableDatabaseFilter extends OncePerRequestFilter {

    static final String RETRY_AFTER_SECONDS = "5";

    private final DependencyWatch watch;
    private final Problems problems;

    public UnavailableDatabaseFilter(DependencyWatch watch, Problems problems) {
        this.watch = watch;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        var db = watch.last("db");
        if (db.isPresent() && !db.get().up()) {
            response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            problems.write(
                    response,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "the database cannot be reached (since the check at "
                            + db.get().checkedAt() + "); try again in " + RETRY_AFTER_SECONDS + " s",
                    request);
            return;
        }
        chain.doFilter(request, response);
    }
}

package io.promptloop.console.web;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.ui.Model;

/**
 * What the listing pages share: a page of rows filtered by agent and status (runs, tests), the statement's filter
 * and page parameters, and the page's model (rows, paging, whether a next page exists, the filters as typed).
 */
public final class Listing {

    /** A repository's listing: rows of {@code agent} (null: all) in {@code status} (null: any), one page. */
    @FunctionalInterface
    public interface ByAgentAndStatus<T> {
        List<T> rows(String agent, String status, int limit, int offset);
    }

    private Listing() {}

    /** Reads one page of {@code query} into the model as {@code name}; blank filters mean "all". */
    public static <T> void byAgentAndStatus(
            Model model,
            String name,
            ByAgentAndStatus<T> query,
            String agent,
            String status,
            Integer page,
            int pageSize) {
        Paging paging = Paging.of(page, pageSize);
        page(model, name, query.rows(blankToNull(agent), blankToNull(status), paging.fetch(), paging.offset()), paging);
        model.addAttribute("agent", agent == null ? "" : agent);
        model.addAttribute("status", status == null ? "" : status);
    }

    /**
     * The page's rows into the model as {@code name} with {@code paging} and {@code hasNext}; {@code fetched} holds
     * one row more than a page when there is a next page ({@link Paging#fetch()}).
     */
    public static <T> void page(Model model, String name, List<T> fetched, Paging paging) {
        model.addAttribute(name, fetched.stream().limit(paging.size()).toList());
        model.addAttribute("paging", paging);
        model.addAttribute("hasNext", fetched.size() > paging.size());
    }

    /** Binds a listing statement's {@code :agent}, {@code :status}, {@code :limit} and {@code :offset}. */
    public static JdbcClient.StatementSpec bind(
            JdbcClient.StatementSpec statement, String agent, String status, int limit, int offset) {
        return statement
                .param("agent", agent)
                .param("status", status)
                .param("limit", limit)
                .param("offset", offset);
    }

    public static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}

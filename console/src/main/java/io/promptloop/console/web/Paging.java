package io.promptloop.console.web;

/**
 * One page of a listing: keyset-free offset paging, bounded (the page number is clamped, the size comes from
 * configuration), so a listing over a large table reads one index range per page.
 */
public record Paging(int page, int size) {

    public static final int MAX_PAGE = 10_000;

    public static Paging of(Integer page, int size) {
        int p = page == null ? 0 : Math.max(0, Math.min(MAX_PAGE, page));
        return new Paging(p, size);
    }

    public int offset() {
        return page * size;
    }

    /** Rows to fetch: one more than a page, to know whether there is a next page without counting. */
    public int fetch() {
        return size + 1;
    }
}

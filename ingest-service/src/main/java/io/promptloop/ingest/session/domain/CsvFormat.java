package io.promptloop.ingest.session.domain;

import java.util.List;

/**
 * RFC 4180 CSV cells that are safe to open in a spreadsheet: a cell that begins with {@code =}, {@code +},
 * {@code -}, {@code @}, a tab or a carriage return would be run as a formula by Excel, LibreOffice or
 * Google Sheets (OWASP "CSV Injection"), so it is prefixed with a single quote, which spreadsheets show as
 * text. The quote is visible in other readers; that is the price of safety, and it is documented.
 */
public final class CsvFormat {

    private CsvFormat() {}

    public static String row(List<?> cells) {
        StringBuilder out = new StringBuilder(128);
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) out.append(',');
            appendCell(out, cells.get(i));
        }
        return out.append("\r\n").toString();
    }

    static void appendCell(StringBuilder out, Object value) {
        if (value == null) return;
        String text = neutralise(value.toString());
        boolean quote = text.indexOf(',') >= 0
                || text.indexOf('"') >= 0
                || text.indexOf('\n') >= 0
                || text.indexOf('\r') >= 0
                || (!text.isEmpty() && (text.charAt(0) == ' ' || text.charAt(text.length() - 1) == ' '));
        if (!quote) {
            out.append(text);
            return;
        }
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') out.append('"');
            out.append(c);
        }
        out.append('"');
    }

    static String neutralise(String text) {
        if (text.isEmpty()) return text;
        char first = text.charAt(0);
        return switch (first) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
            default -> text;
        };
    }
}

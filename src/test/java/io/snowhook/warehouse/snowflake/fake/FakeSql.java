package io.snowhook.warehouse.snowflake.fake;

import java.util.ArrayList;
import java.util.List;

/**
 * The little SQL lexing the fake needs: Snowflake string constants (with backslash escapes) and splitting a
 * list at top-level commas. Hand-written because no library parses Snowflake's dialect; it understands exactly
 * the escapes Snowflake documents for single-quoted constants.
 */
final class FakeSql {

    private FakeSql() {}

    /** Parses the Snowflake string constant starting at {@code start} (a quote); returns value and end index. */
    static Literal literalAt(String sql, int start) {
        if (sql.charAt(start) != '\'') {
            throw new IllegalArgumentException("no string constant at " + start + ": " + sql);
        }
        StringBuilder value = new StringBuilder();
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    value.append('\'');
                    i += 2;
                    continue;
                }
                return new Literal(value.toString(), i + 1);
            }
            if (c == '\\' && i + 1 < sql.length()) {
                char e = sql.charAt(i + 1);
                switch (e) {
                    case 'n' -> value.append('\n');
                    case 't' -> value.append('\t');
                    case 'r' -> value.append('\r');
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case '0' -> value.append('\0');
                    case 'u' -> {
                        value.append((char) Integer.parseInt(sql.substring(i + 2, i + 6), 16));
                        i += 4;
                    }
                    case 'x' -> {
                        value.append((char) Integer.parseInt(sql.substring(i + 2, i + 4), 16));
                        i += 2;
                    }
                    default -> value.append(e);
                }
                i += 2;
                continue;
            }
            value.append(c);
            i++;
        }
        throw new IllegalArgumentException("unterminated string constant: " + sql);
    }

    /** Rewrites every Snowflake string constant as a standard SQL one (DuckDB has no backslash escapes). */
    static String toStandardLiterals(String sql) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'') {
                Literal literal = literalAt(sql, i);
                out.append(standard(literal.value()));
                i = literal.end();
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                out.append(sql, i, end + 1);
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Standard SQL text with every literal emptied ({@code 'x''y'} → {@code ''}): what is left is syntax. */
    static String outsideLiterals(String standardSql) {
        return standardSql.replaceAll("'(?:[^']|'')*'", "''");
    }

    /** Replaces {@code word} (case-insensitive) outside the standard literals of {@code standardSql}. */
    static String replaceOutsideLiterals(String standardSql, String word, String replacement) {
        StringBuilder out = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "'(?:[^']|'')*'|(?i)" + java.util.regex.Pattern.quote(word))
                .matcher(standardSql);
        int last = 0;
        while (m.find()) {
            out.append(standardSql, last, m.start());
            out.append(m.group().startsWith("'") ? m.group() : replacement);
            last = m.end();
        }
        return out.append(standardSql.substring(last)).toString();
    }

    /**
     * A Snowflake DML statement in DuckDB terms: standard literals, and Snowflake's timestamp type names as DuckDB
     * names them (TIMESTAMP_TZ → TIMESTAMPTZ, TIMESTAMP_NTZ → TIMESTAMP; docs "Date & time data types").
     */
    static String toDuckDb(String sql) {
        String standard = toStandardLiterals(sql);
        return replaceOutsideLiterals(
                replaceOutsideLiterals(standard, "::TIMESTAMP_TZ", "::TIMESTAMPTZ"), "::TIMESTAMP_NTZ", "::TIMESTAMP");
    }

    static String standard(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** Splits at commas outside quotes and parentheses. */
    static List<String> splitTopLevel(String list) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int from = 0;
        int i = 0;
        while (i < list.length()) {
            char c = list.charAt(i);
            if (c == '\'') {
                i = literalAt(list, i).end();
                continue;
            }
            if (c == '"') {
                i = list.indexOf('"', i + 1) + 1;
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(list.substring(from, i).strip());
                from = i + 1;
            }
            i++;
        }
        if (!list.substring(from).isBlank()) {
            parts.add(list.substring(from).strip());
        }
        return parts;
    }

    /** Index of the parenthesis closing the one at {@code open}, skipping quoted text. */
    static int closing(String sql, int open) {
        int depth = 0;
        int i = open;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i = literalAt(sql, i).end();
                continue;
            }
            if (c == '"') {
                i = sql.indexOf('"', i + 1) + 1;
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
            i++;
        }
        throw new IllegalArgumentException("unbalanced parentheses: " + sql);
    }

    record Literal(String value, int end) {}
}

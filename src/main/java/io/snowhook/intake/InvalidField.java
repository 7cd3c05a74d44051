package io.snowhook.intake;

import io.snowhook.system.Problem;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * An event field holding a value the ledger cannot store faithfully on every database, or the storage client
 * cannot send: the same 400 {@code invalid-event} problem intake answers for a malformed event, naming the
 * field.
 */
final class InvalidField extends Problem {

    /** The instants every ledger database holds (PostgreSQL: 4713 BC to 294276 AD; ISO 8601: four digits). */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private InvalidField(String field, String problem) {
        super(HttpStatus.BAD_REQUEST, "invalid-event", "Invalid event", field + ": " + problem);
        with("field", field);
    }

    /**
     * Checks one text field: no NUL (PostgreSQL text cannot hold it), no lone surrogate (it has no UTF-8
     * form), and — for values that travel in HTTP headers or identify a version ({@code controls} false) — no
     * control character at all (CR and LF would split an If-Match header).
     */
    static void check(String field, @Nullable String value, boolean controls) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                throw new InvalidField(field, "contains a NUL character (U+0000) at index " + i);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new InvalidField(field, "contains a lone surrogate (U+" + hex(c) + ") at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new InvalidField(field, "contains a lone surrogate (U+" + hex(c) + ") at index " + i);
            }
            if (!controls && Character.isISOControl(c)) {
                throw new InvalidField(field, "contains a control character (U+" + hex(c) + ") at index " + i);
            }
        }
    }

    static void check(String field, @Nullable Instant value) {
        if (value != null && (value.isBefore(EARLIEST) || value.isAfter(LATEST))) {
            throw new InvalidField(field, "must be between years 0001 and 9999");
        }
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }
}

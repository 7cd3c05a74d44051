package io.snowhook.intake;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/**
 * An event field longer than the ledger keeps (and than Azure Storage ever sends, e.g. a blob name over
 * 1024 characters): the same 400 {@code invalid-event} problem intake answers for a malformed event.
 */
final class FieldTooLong extends Problem {

    FieldTooLong(String field, int max) {
        super(HttpStatus.BAD_REQUEST, "invalid-event", "Invalid event", field + ": longer than " + max + " characters");
        with("field", field);
    }
}

package io.snowhook.sweep;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A {@code POST /sweeps} body or {@code GET /sweeps} parameter that is not valid: 400 {@code invalid-request}. */
final class InvalidSweepRequest extends Problem {

    InvalidSweepRequest(String field, String why) {
        super(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", "'" + field + "' " + why);
        with("field", field);
    }
}

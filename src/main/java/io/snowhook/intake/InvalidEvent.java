package io.snowhook.intake;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/**
 * A request that holds no storage event snowhook can read — malformed JSON, an unknown envelope, a
 * required field missing or malformed: 400 {@code invalid-event}, naming the field as a JSON-pointer-like
 * path through the envelopes (e.g. {@code /data(base64)/body(base64)/0/subject}).
 */
class InvalidEvent extends Problem {

    InvalidEvent(String field, String problem) {
        super(HttpStatus.BAD_REQUEST, "invalid-event", "Invalid event", describe(field, problem));
        if (!field.isEmpty()) {
            with("field", field);
        }
    }

    private static String describe(String field, String problem) {
        return field.isEmpty() ? problem : field + ": " + problem;
    }
}

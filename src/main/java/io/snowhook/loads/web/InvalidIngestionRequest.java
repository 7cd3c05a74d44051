package io.snowhook.loads.web;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A {@code POST /ingestions} body that is not {@code {"url": "…"}}. */
final class InvalidIngestionRequest extends Problem {

    InvalidIngestionRequest(String why) {
        super(
                HttpStatus.BAD_REQUEST,
                "invalid-request",
                "Invalid request",
                "The body must be JSON of the form {\"url\": \"<blob URL>\"}: " + why);
        with("field", "url");
    }
}

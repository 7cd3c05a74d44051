package io.snowhook.system;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * The stable problem kind for an HTTP status, used when the framework (not a {@link Problem}) produced
 * the error: unreadable bodies, unknown paths, wrong methods or media types, errors raised before
 * a controller runs.
 */
final class ProblemKinds {

    private static final Map<Integer, String> BY_STATUS = Map.ofEntries(
            Map.entry(400, "bad-request"),
            Map.entry(401, "unauthorized"),
            Map.entry(403, "forbidden"),
            Map.entry(404, "not-found"),
            Map.entry(405, "method-not-allowed"),
            Map.entry(406, "not-acceptable"),
            Map.entry(408, "request-timeout"),
            Map.entry(409, "conflict"),
            Map.entry(413, "payload-too-large"),
            Map.entry(415, "unsupported-media-type"),
            Map.entry(422, "unprocessable-content"),
            Map.entry(429, "too-many-requests"),
            Map.entry(500, "internal-error"),
            Map.entry(503, "service-unavailable"));

    private ProblemKinds() {}

    static String forStatus(HttpStatusCode status) {
        String kind = BY_STATUS.get(status.value());
        if (kind != null) {
            return kind;
        }
        return status.is5xxServerError() ? "internal-error" : "bad-request";
    }

    static String title(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known != null ? known.getReasonPhrase() : "Error";
    }
}

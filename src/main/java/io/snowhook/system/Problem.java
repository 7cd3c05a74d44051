package io.snowhook.system;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Base of every error snowhook answers with an RFC 9457 problem detail: a stable {@code type} per kind
 * ({@code https://snowhook.io/problems/<kind>}), a fixed title, a detail for the caller and optional
 * properties (e.g. {@code loadId}, {@code blob}). Never put internal details of a 5xx here.
 */
public class Problem extends ErrorResponseException {

    public static final String TYPE_BASE = "https://snowhook.io/problems/";

    public Problem(HttpStatus status, String kind, String title, String detail) {
        super(status, detail(status, kind, title, detail), null);
    }

    /** Adds a property to the problem body and returns this problem. */
    public Problem with(String name, Object value) {
        getBody().setProperty(name, value);
        return this;
    }

    public static URI type(String kind) {
        return URI.create(TYPE_BASE + kind);
    }

    private static ProblemDetail detail(HttpStatus status, String kind, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type(kind));
        problem.setTitle(title);
        return problem;
    }

    @Override
    public String getMessage() {
        return getBody().getTitle() + ": " + getBody().getDetail();
    }
}

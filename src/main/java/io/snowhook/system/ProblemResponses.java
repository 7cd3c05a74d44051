package io.snowhook.system;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a problem detail straight to a servlet response, for answers given before Spring MVC runs
 * (security, body limits) or outside it (Tomcat's own rejections): the same members {@link Problem} has.
 */
final class ProblemResponses {

    private ProblemResponses() {}

    static void write(
            HttpServletResponse response,
            HttpStatus status,
            String kind,
            String title,
            String detail,
            @Nullable String instance,
            Map<String, Object> properties)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JsonMapper.shared()
                .writeValue(response.getOutputStream(), body(status, kind, title, detail, instance, properties));
    }

    static Map<String, Object> body(
            HttpStatus status,
            String kind,
            String title,
            String detail,
            @Nullable String instance,
            Map<String, Object> properties) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", Problem.TYPE_BASE + kind);
        body.put("title", title);
        body.put("status", status.value());
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        body.putAll(properties);
        return body;
    }
}

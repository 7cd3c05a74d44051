package io.snowhook.system;

import java.io.IOException;
import java.util.Map;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's answer to requests it rejects itself, before any servlet runs (malformed request line or
 * headers, a bad {@code Content-Length}, two {@code Host} headers, {@code %2F} or {@code %00} in the path,
 * oversized headers): an RFC 9457 problem detail instead of Tomcat's HTML page. Says nothing of what was
 * sent — the rejected request may carry a credential — and logs one line without the request.
 */
final class ProblemErrorReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorReportValve.class);

    @Override
    protected void report(Request request, Response response, @Nullable Throwable throwable) {
        int code = response.getStatus();
        if (code < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        HttpStatus status = HttpStatus.resolve(code);
        if (status == null) {
            status = code >= 500 ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.BAD_REQUEST;
        }
        log.info(
                "Answered {} for Tomcat, before any of snowhook's handlers ran{}",
                code,
                throwable == null ? "" : ": " + throwable.getClass().getSimpleName());
        try {
            response.resetBuffer();
            ProblemResponses.write(
                    response.getResponse(),
                    status,
                    ProblemKinds.forStatus(status),
                    ProblemKinds.title(status),
                    detail(status),
                    null,
                    Map.of());
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            log.debug("Could not write the problem detail of a rejected request: {}", e.toString());
        }
    }

    private static String detail(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST ->
                "The request is malformed: its request line, a header, the Content-Length or the path"
                        + " (encoded '/' or NUL) is not valid HTTP for this service.";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "The request headers are larger than this service accepts.";
            case URI_TOO_LONG -> "The request URI is longer than this service accepts.";
            case CONTENT_TOO_LARGE -> "The request body is larger than this service accepts.";
            default ->
                status.is5xxServerError()
                        ? ProblemDetailsAdvice.INTERNAL_ERROR_DETAIL
                        : "The request was refused: " + status.getReasonPhrase() + ".";
        };
    }
}

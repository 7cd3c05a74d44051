package io.snowhook.system;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Makes every error an RFC 9457 problem detail with a stable {@code type}: {@link Problem}s pass through
 * as they are; errors the framework raises (unreadable body, missing parameter, no handler, wrong
 * method or media type) get the kind of their status; anything unexpected is a 500
 * {@code internal-error} whose body says nothing internal — the stack trace goes to the log only.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    static final String INTERNAL_ERROR_DETAIL =
            "snowhook could not handle this request; the service log has the details.";

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> handleUnexpected(Exception ex, WebRequest request) {
        log.error("Unexpected error handling {}", request.getDescription(false), ex);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_DETAIL);
        body.setType(Problem.type("internal-error"));
        body.setTitle("Internal error");
        return ResponseEntity.internalServerError().body(body);
    }

    /** Problems are answers, not failures: one line each, so a misconfigured sender shows in the log. */
    @Override
    protected @Nullable ResponseEntity<Object> handleErrorResponseException(
            ErrorResponseException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (ex instanceof Problem problem) {
            log.info(
                    "Answered {} {} to {}: {}",
                    status.value(),
                    problem.getBody().getType(),
                    request.getDescription(false),
                    problem.getBody().getDetail());
        }
        return super.handleErrorResponseException(ex, headers, status, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // The converter's message may quote the body; name the problem without echoing it.
        ProblemDetail body =
                ProblemDetail.forStatusAndDetail(status, "The request body is missing or is not readable JSON.");
        body.setType(Problem.type("unreadable-body"));
        body.setTitle("Unreadable request body");
        return handleExceptionInternal(ex, body, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (body instanceof ProblemDetail problem) {
            stabilise(problem, status);
        }
        return super.createResponseEntity(body, headers, status, request);
    }

    /** Gives a framework problem (type {@code about:blank}) the stable type of its status. */
    static void stabilise(ProblemDetail problem, HttpStatusCode status) {
        URI type = problem.getType();
        if (type == null || "about:blank".equals(type.toString())) {
            problem.setType(Problem.type(ProblemKinds.forStatus(status)));
            if (problem.getTitle() == null || problem.getTitle().isBlank()) {
                problem.setTitle(ProblemKinds.title(status));
            }
        }
        if (status.is5xxServerError() && !(type != null && type.toString().startsWith(Problem.TYPE_BASE))) {
            problem.setDetail(INTERNAL_ERROR_DETAIL);
        }
    }
}

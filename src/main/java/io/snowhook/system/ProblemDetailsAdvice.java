package io.snowhook.system;

import java.net.URI;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
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
    @Nullable
    ResponseEntity<Object> handleUnexpected(Exception ex, WebRequest request) {
        if (ClientMistakes.clientGone(ex)) {
            log.debug("The client of {} went away before its answer: {}", request.getDescription(false), ex.toString());
            return null;
        }
        log.error("Unexpected error handling {}", request.getDescription(false), ex);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_DETAIL);
        body.setType(Problem.type("internal-error"));
        body.setTitle("Internal error");
        return ResponseEntity.internalServerError().body(body);
    }

    /** A body that could not be read: answered 400, unless the client is gone and there is no one to answer. */
    @ExceptionHandler(UnreadableBody.class)
    @Nullable
    ResponseEntity<Object> handleUnreadableBody(UnreadableBody ex, WebRequest request) {
        if (ex.clientGone()
                || (request instanceof ServletWebRequest servlet
                        && servlet.getResponse() != null
                        && servlet.getResponse().isCommitted())) {
            log.debug("No answer to {}: the client went away while sending its body", request.getDescription(false));
            return null;
        }
        return handleErrorResponseException(ex, new HttpHeaders(), ex.getStatusCode(), request);
    }

    /**
     * A query or form parameter that is not valid percent-encoding: Tomcat refuses to decode it. The
     * exception's message quotes the value, so neither the answer nor the log repeats it.
     */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<Object> handleInvalidParameter(InvalidParameterException ex, WebRequest request) {
        log.info(
                "Answered 400 invalid-parameter to {}: a parameter is not valid percent-encoding",
                request.getDescription(false));
        ProblemDetail body = ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_REQUEST, "A query or form parameter is not valid percent-encoded UTF-8.");
        body.setType(Problem.type("invalid-parameter"));
        body.setTitle("Invalid parameter");
        return ResponseEntity.badRequest()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(body);
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

package io.snowhook.system;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Answers 401 and 403 as RFC 9457 problem details with a {@code WWW-Authenticate} challenge. These are
 * written by the security filter chain, before any controller or {@code @ControllerAdvice} runs, so they
 * cannot go through {@link Problem}.
 */
final class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    private static final Logger log = LoggerFactory.getLogger(SecurityProblems.class);

    private final String challenge;

    SecurityProblems(SecurityProperties properties) {
        boolean basic = properties.intakeUsername() != null || properties.operatorUsername() != null;
        this.challenge = "Bearer realm=\"snowhook\"" + (basic ? ", Basic realm=\"snowhook\"" : "");
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        boolean presented = request.getHeader(HttpHeaders.AUTHORIZATION) != null;
        log.info(
                "Refused {} {}: {}",
                request.getMethod(),
                request.getRequestURI(),
                presented ? "wrong credentials" : "no credentials");
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
        write(
                request,
                response,
                HttpStatus.UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                presented
                        ? "The credentials presented are not valid."
                        : "This endpoint needs credentials: a bearer token or HTTP basic.");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        log.info(
                "Refused {} {}: the credential presented does not grant it",
                request.getMethod(),
                request.getRequestURI());
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"snowhook\", error=\"insufficient_scope\"");
        write(
                request,
                response,
                HttpStatus.FORBIDDEN,
                "forbidden",
                "Forbidden",
                "The credential presented does not grant this operation; it needs the operator credential.");
    }

    private static void write(
            HttpServletRequest request,
            HttpServletResponse response,
            HttpStatus status,
            String kind,
            String title,
            String detail)
            throws IOException {
        ProblemResponses.write(response, status, kind, title, detail, request.getRequestURI(), Map.of());
    }
}

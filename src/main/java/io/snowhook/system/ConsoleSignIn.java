package io.snowhook.system;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * The console's 401: a page instead of a problem detail. With an operator username and password configured
 * it challenges with HTTP basic only (so the browser asks for them); with a bearer-only operator credential —
 * which a browser cannot present — it says how to enable a password. Other paths get the problem detail.
 */
final class ConsoleSignIn implements AuthenticationEntryPoint {

    private final AuthenticationEntryPoint problems;
    private final boolean password;

    ConsoleSignIn(SecurityProperties properties, AuthenticationEntryPoint problems) {
        this.problems = problems;
        this.password = properties.operatorUsername() != null;
    }

    static boolean isConsole(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/") || path.equals("/index.html");
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException, ServletException {
        if (!isConsole(request)) {
            problems.commence(request, response, failure);
            return;
        }
        response.setStatus(HttpStatus.UNAUTHORIZED.value());
        response.setHeader(
                HttpHeaders.WWW_AUTHENTICATE,
                password ? "Basic realm=\"snowhook\", charset=\"UTF-8\"" : "Bearer realm=\"snowhook\"");
        response.setContentType(MediaType.TEXT_HTML_VALUE + ";charset=UTF-8");
        String message = password
                ? "<p>The console signs in with the operator's username and password"
                        + " (<code>snowhook.security.operator-username</code> and <code>operator-password</code>)."
                        + " Reload the page to sign in again.</p>"
                : "<p>The console signs in with the operator's username and password, and this snowhook has only"
                        + " an operator token, which a browser cannot send.</p>"
                        + "<p>To enable the console, set <code>snowhook.security.operator-username</code> and"
                        + " <code>snowhook.security.operator-password</code> (environment"
                        + " <code>SNOWHOOK_SECURITY_OPERATOR_USERNAME</code> and"
                        + " <code>SNOWHOOK_SECURITY_OPERATOR_PASSWORD</code>, from a secret) and restart snowhook."
                        + " The operator token keeps working for API clients.</p>";
        String page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>snowhook — sign in</title><link rel=\"stylesheet\" href=\"console/console.css\"></head>"
                + "<body><main class=\"sign-in\"><h1>snowhook</h1><h2>Sign-in needed</h2>" + message
                + "</main></body></html>";
        response.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
    }
}

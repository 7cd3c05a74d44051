package io.snowhook.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses state-changing requests a browser makes on behalf of another site (cross-site request forgery).
 * A browser sends HTTP basic credentials — and, in open loopback mode, nothing at all — by itself, so a form
 * on any page the operator visits could otherwise re-ingest loads.
 *
 * <p>A request that changes state and carries {@code Authorization: Bearer} passes: a browser never attaches
 * a bearer token by itself. So does one with none of the headers every current browser sends ({@code
 * Origin}, {@code Sec-Fetch-Site}, {@code Referer}): curl, Argo's HTTP trigger, API clients. A browser's
 * request must come from snowhook's own origin ({@code Origin} names the {@code Host} the request was sent
 * to, {@code Sec-Fetch-Site} is {@code same-origin}) and carry the {@value #HEADER} header, which a
 * cross-site form cannot send and a cross-site script cannot send without a CORS preflight snowhook never
 * grants.
 */
final class CrossSiteRequestGuard extends OncePerRequestFilter {

    /** The header the console sends with every action. */
    static final String HEADER = "X-Snowhook-Console";

    private static final Logger log = LoggerFactory.getLogger(CrossSiteRequestGuard.class);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String refusal = refusal(request);
        if (refusal == null) {
            chain.doFilter(request, response);
            return;
        }
        log.info("Refused {} {}: {}", request.getMethod(), request.getRequestURI(), refusal);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", Problem.TYPE_BASE + "cross-site-request");
        body.put("title", "Cross-site request refused");
        body.put("status", HttpStatus.FORBIDDEN.value());
        body.put("detail", refusal);
        body.put("instance", request.getRequestURI());
        response.setStatus(HttpStatus.FORBIDDEN.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JsonMapper.shared().writeValue(response.getOutputStream(), body);
    }

    /** Why the request is refused, or null when it may go on. */
    static @Nullable String refusal(HttpServletRequest request) {
        if (SAFE_METHODS.contains(request.getMethod().toUpperCase(Locale.ROOT))) {
            return null;
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        String site = request.getHeader("Sec-Fetch-Site");
        boolean browser = origin != null || site != null || request.getHeader(HttpHeaders.REFERER) != null;
        if (!browser) {
            return null;
        }
        if (origin != null && !sameOrigin(origin, request)) {
            return "the request comes from another origin (" + origin + "); a browser may change state only"
                    + " from snowhook's own console";
        }
        if (site != null && !site.equalsIgnoreCase("same-origin")) {
            return "the browser marks the request as " + site + "; a browser may change state only from"
                    + " snowhook's own console";
        }
        if (request.getHeader(HEADER) == null) {
            return "a browser's request to change state needs the " + HEADER + " header (the console sends it),"
                    + " or a bearer token";
        }
        return null;
    }

    /**
     * Whether {@code Origin} names the host and port the request was sent to ({@code Host}, or {@code
     * X-Forwarded-Host} from a proxy, or the server's own name). The scheme is not compared: a
     * TLS-terminating ingress forwards {@code https} requests as {@code http}, and no other site can be
     * served from the same host and port.
     */
    private static boolean sameOrigin(String origin, HttpServletRequest request) {
        URI uri;
        try {
            uri = URI.create(origin.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (uri.getHost() == null) {
            return false; // "null": a sandboxed frame, a file, a redirect across origins
        }
        String authority = uri.getRawAuthority().toLowerCase(Locale.ROOT);
        int port = request.getServerPort();
        String server = request.getServerName() + (port == 80 || port == 443 ? "" : ":" + port);
        return authority.equals(lower(request.getHeader(HttpHeaders.HOST)))
                || authority.equals(lower(request.getHeader("X-Forwarded-Host")))
                || authority.equals(lower(server));
    }

    private static @Nullable String lower(@Nullable String value) {
        return value == null ? null : value.trim().toLowerCase(Locale.ROOT);
    }
}

package io.snowhook.system;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.DefaultSecurityFilterChain;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationConverter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.stereotype.Component;

/**
 * Who may call what. {@code POST /events} takes the intake (or operator) credential; re-ingestion,
 * {@code POST /ingestions} and the actuator beyond health take the operator credential only; status reads
 * and the API documentation are open or operator-only ({@code snowhook.security.status-reads}); health
 * probes are always open; the console ({@code /}) follows the status reads. Stateless: no session, no
 * cookies; but a browser sends HTTP basic credentials (or, in open mode, nothing) by itself, so {@link
 * CrossSiteRequestGuard} refuses state changes a browser makes for another site. With no credential
 * configured everything is open — and the server is held on loopback by {@link LoopbackBinding}.
 *
 * <p>This is a {@link SecurityFilterChain} component rather than a {@code @Bean} method so that
 * {@code @WebMvcTest} slices, which pick up {@code SecurityFilterChain} components, run with these same
 * rules instead of Spring Boot's default form-login chain. Only in a servlet web application: contexts
 * without a web server (workers, ledger tests) need no chain.
 */
@Component
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(SecurityProperties.class)
class SecurityChain implements SecurityFilterChain {

    private static final Logger log = LoggerFactory.getLogger(SecurityChain.class);

    /** The console's page and assets. */
    private static final RequestMatcher CONSOLE = new OrRequestMatcher(
            PathPatternRequestMatcher.pathPattern("/"),
            PathPatternRequestMatcher.pathPattern("/index.html"),
            PathPatternRequestMatcher.pathPattern("/console/**"));

    /** The console runs only its own scripts and styles and talks only to its own origin. */
    static final String CONSOLE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final DefaultSecurityFilterChain chain;

    SecurityChain(HttpSecurity http, SecurityProperties properties, Environment environment) throws Exception {
        SecurityProblems problems = new SecurityProblems(properties);
        ConsoleSignIn signIn = new ConsoleSignIn(properties, problems);
        http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .exceptionHandling(e -> e.authenticationEntryPoint(signIn).accessDeniedHandler(problems))
                .headers(h -> h.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                        CONSOLE, new StaticHeadersWriter("Content-Security-Policy", CONSOLE_POLICY))))
                .addFilterBefore(new CrossSiteRequestGuard(), BasicAuthenticationFilter.class);
        if (properties.open()) {
            log.warn("snowhook runs UNAUTHENTICATED: no snowhook.security.intake-* or operator-* credential is"
                    + " configured, so every endpoint is open to anyone who can reach it. The server binds to"
                    + " loopback only; set credentials before exposing it.");
            http.authorizeHttpRequests(a -> a.anyRequest().permitAll());
        } else {
            if (!properties.hasIntakeCredential()) {
                log.warn("No intake credential (snowhook.security.intake-token or intake-username/-password):"
                        + " POST /events accepts only the operator credential.");
            }
            if (!properties.hasOperatorCredential()) {
                log.warn("No operator credential (snowhook.security.operator-token or operator-username/-password):"
                        + " re-ingestion, POST /ingestions and the actuator beyond health are refused to everyone.");
            }
            AuthenticationFilter authentication =
                    new AuthenticationFilter(new Credentials(properties), SecurityChain::presented);
            authentication.setFailureHandler(new AuthenticationEntryPointFailureHandler(signIn));
            authentication.setSuccessHandler((request, response, granted) -> {});
            http.addFilterAt(authentication, BasicAuthenticationFilter.class)
                    .authorizeHttpRequests(a -> rules(a, properties, environment));
        }
        this.chain = http.build();
    }

    private static void rules(
            AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry a,
            SecurityProperties properties,
            Environment environment) {
        String actuator = environment.getProperty("management.endpoints.web.base-path", "/actuator");
        a.requestMatchers(actuator + "/health", actuator + "/health/**").permitAll();
        a.requestMatchers(actuator, actuator + "/**").hasRole(Credentials.OPERATOR);
        a.requestMatchers("/error").permitAll();
        // Event Grid's webhook validation handshake: answers a header, records nothing.
        a.requestMatchers(HttpMethod.OPTIONS, "/events").permitAll();
        a.requestMatchers(HttpMethod.POST, "/events").hasAnyRole(Credentials.INTAKE, Credentials.OPERATOR);
        a.requestMatchers(HttpMethod.POST, "/loads/*/reingest", "/loads/reingest", "/ingestions")
                .hasRole(Credentials.OPERATOR);
        boolean openReads = properties.statusReads() == SecurityProperties.StatusReads.OPEN;
        readers(a.requestMatchers(HttpMethod.GET, "/loads", "/loads/**"), openReads);
        // The console: its page follows the status reads; its scripts and styles hold no data.
        readers(a.requestMatchers(HttpMethod.GET, "/", "/index.html"), openReads);
        a.requestMatchers(HttpMethod.GET, "/console/**").permitAll();
        readers(a.requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**"), openReads);
        a.anyRequest().hasRole(Credentials.OPERATOR);
    }

    private static void readers(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizedUrl requests, boolean open) {
        if (open) {
            requests.permitAll();
        } else {
            requests.hasRole(Credentials.OPERATOR);
        }
    }

    /** Reads {@code Authorization: Bearer …} or {@code Basic …}; anything else is left to the rules. */
    private static @Nullable Authentication presented(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return null;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Credentials.BearerToken(header.substring(7).trim());
        }
        return new BasicAuthenticationConverter().convert(request);
    }

    @Override
    public boolean matches(HttpServletRequest request) {
        return chain.matches(request);
    }

    @Override
    public List<Filter> getFilters() {
        return chain.getFilters();
    }
}

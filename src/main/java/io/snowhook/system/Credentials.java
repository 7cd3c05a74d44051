package io.snowhook.system;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Checks a presented bearer token or basic user/password against the configured intake and operator
 * credentials and grants the matching role.
 *
 * <p>Hand-written because Spring Security's ready-made paths do not fit: bearer tokens come with the
 * OAuth2 resource server (JWT/introspection, not static secrets), and its basic-auth provider compares
 * passwords through a {@code PasswordEncoder} meant for stored hashes. Here every secret is hashed once
 * (SHA-256) and compared with {@link MessageDigest#isEqual}, always against both roles, so neither the
 * length nor the content of a guess shows in the time an answer takes.
 */
final class Credentials implements AuthenticationManager {

    static final String INTAKE = "INTAKE";
    static final String OPERATOR = "OPERATOR";

    private final Secret intakeToken;
    private final Secret intakeUsername;
    private final Secret intakePassword;
    private final Secret operatorToken;
    private final Secret operatorUsername;
    private final Secret operatorPassword;

    Credentials(SecurityProperties properties) {
        this.intakeToken = Secret.of(properties.intakeToken());
        this.intakeUsername = Secret.of(properties.intakeUsername());
        this.intakePassword = Secret.of(properties.intakePassword());
        this.operatorToken = Secret.of(properties.operatorToken());
        this.operatorUsername = Secret.of(properties.operatorUsername());
        this.operatorPassword = Secret.of(properties.operatorPassword());
    }

    @Override
    public Authentication authenticate(Authentication presented) throws AuthenticationException {
        if (presented instanceof BearerToken bearer) {
            byte[] hash = sha256(bearer.token());
            boolean intake = intakeToken.matches(hash);
            boolean operator = operatorToken.matches(hash);
            return granted(intake, operator, "bearer token");
        }
        if (presented instanceof UsernamePasswordAuthenticationToken basic) {
            byte[] user = sha256(basic.getName());
            byte[] password = sha256(String.valueOf(basic.getCredentials()));
            // Non-short-circuit '&': both comparisons always run.
            boolean intake = intakeUsername.matches(user) & intakePassword.matches(password);
            boolean operator = operatorUsername.matches(user) & operatorPassword.matches(password);
            return granted(intake, operator, "basic credentials");
        }
        throw new BadCredentialsException("unsupported credential");
    }

    private static Authentication granted(boolean intake, boolean operator, String what) {
        if (operator) {
            return authenticated("operator", OPERATOR);
        }
        if (intake) {
            return authenticated("intake", INTAKE);
        }
        throw new BadCredentialsException("the " + what + " did not match");
    }

    private static Authentication authenticated(String principal, String role) {
        return UsernamePasswordAuthenticationToken.authenticated(
                principal, null, List.of(new SimpleGrantedAuthority("ROLE_" + role)));
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The hash of one configured secret; an unset one holds a random hash that nothing matches. */
    private record Secret(byte[] hash, boolean set) {

        private static final SecureRandom RANDOM = new SecureRandom();

        static Secret of(@Nullable String value) {
            if (value == null) {
                byte[] random = new byte[32];
                RANDOM.nextBytes(random);
                return new Secret(random, false);
            }
            return new Secret(sha256(value), true);
        }

        boolean matches(byte[] presented) {
            return MessageDigest.isEqual(hash, presented) & set;
        }
    }

    /** A bearer token as presented, before it is checked. */
    static final class BearerToken extends AbstractAuthenticationToken {

        private final String token;

        BearerToken(String token) {
            super(List.of());
            this.token = token;
        }

        String token() {
            return token;
        }

        @Override
        public Object getCredentials() {
            return token;
        }

        @Override
        public Object getPrincipal() {
            return "bearer";
        }

        @Override
        public String toString() {
            return "BearerToken[******]";
        }
    }
}

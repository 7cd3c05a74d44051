package io.snowhook.system;

import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The credentials snowhook accepts ({@code snowhook.security.*}), all from secrets. The intake credential
 * (what an Argo HTTP trigger sends: a bearer token via {@code secureHeaders}, or {@code basicAuth}) opens
 * {@code POST /events} only; the operator credential opens re-ingestion, {@code POST /ingestions} and the
 * actuator beyond health. With no credential at all the service is open and binds to loopback only.
 *
 * @param intakeToken bearer token accepted on {@code POST /events}
 * @param intakeUsername HTTP basic user accepted on {@code POST /events} (with {@code intakePassword})
 * @param operatorToken bearer token for the operator API and the actuator
 * @param operatorUsername HTTP basic user for the operator API (with {@code operatorPassword})
 * @param statusReads who may read {@code GET /loads…} and the API documentation
 */
@Validated
@ConfigurationProperties("snowhook.security")
record SecurityProperties(
        @Nullable @Size(min = 16, message = "must be at least 16 characters long")
        String intakeToken,

        @Nullable String intakeUsername,
        @Nullable String intakePassword,

        @Nullable @Size(min = 16, message = "must be at least 16 characters long")
        String operatorToken,

        @Nullable String operatorUsername,
        @Nullable String operatorPassword,
        @DefaultValue("operator") StatusReads statusReads) {

    /** Who may read load status and the API documentation. */
    enum StatusReads {
        /** Anyone who can reach the service. */
        OPEN,
        /** Callers presenting the operator credential. */
        OPERATOR
    }

    SecurityProperties {
        intakeToken = blankToNull(intakeToken);
        intakeUsername = blankToNull(intakeUsername);
        intakePassword = blankToNull(intakePassword);
        operatorToken = blankToNull(operatorToken);
        operatorUsername = blankToNull(operatorUsername);
        operatorPassword = blankToNull(operatorPassword);
        requirePair("intake", intakeUsername, intakePassword);
        requirePair("operator", operatorUsername, operatorPassword);
        if (intakeUsername != null && intakeUsername.equals(operatorUsername)) {
            throw new IllegalArgumentException(
                    "snowhook.security.intake-username and operator-username must differ: one name, one role");
        }
    }

    boolean hasIntakeCredential() {
        return intakeToken != null || intakeUsername != null;
    }

    boolean hasOperatorCredential() {
        return operatorToken != null || operatorUsername != null;
    }

    /** True when no credential is configured at all: the embedded default, open on loopback. */
    boolean open() {
        return !hasIntakeCredential() && !hasOperatorCredential();
    }

    private static void requirePair(String role, @Nullable String username, @Nullable String password) {
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException(
                    "snowhook.security." + role + "-username and " + role + "-password must be set together");
        }
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Never prints a secret: this record may end up in a log line or an actuator answer. */
    @Override
    public String toString() {
        return "SecurityProperties[intakeToken=" + mask(intakeToken) + ", intakeUsername=" + intakeUsername
                + ", intakePassword=" + mask(intakePassword) + ", operatorToken=" + mask(operatorToken)
                + ", operatorUsername=" + operatorUsername + ", operatorPassword=" + mask(operatorPassword)
                + ", statusReads=" + statusReads + "]";
    }

    private static String mask(@Nullable String secret) {
        return secret == null ? "unset" : "******";
    }
}

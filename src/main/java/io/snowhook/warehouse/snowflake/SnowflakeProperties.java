package io.snowhook.warehouse.snowflake;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.warehouse.snowflake.*}: how snowhook reaches Snowflake. Bound and validated only when
 * {@code snowhook.warehouse.type=snowflake}; a missing or contradictory setting fails start-up naming the
 * property. Secrets ({@code password}, {@code private-key}, {@code private-key-passphrase}) have no
 * defaults and never appear in {@link #toString()}.
 *
 * @param url full JDBC URL ({@code jdbc:snowflake://<account>.snowflakecomputing.com/}); or give {@code account}
 * @param account account identifier ({@code <org>-<account>}); used when {@code url} is not set
 * @param user the login name
 * @param password password authentication; or use a private key
 * @param privateKey key-pair authentication: the PEM text of the (optionally encrypted) PKCS#8 private key
 * @param privateKeyFile key-pair authentication: a PEM file
 * @param privateKeyPassphrase passphrase of an encrypted private key
 * @param warehouse the virtual warehouse COPY runs on
 * @param database database of the tables and stages
 * @param schema schema of the tables and stages
 * @param role role to assume; the user's default role when not set
 * @param internalStage the named internal stage uploads go to (in {@code database.schema})
 * @param externalStages container name → external stage on that container (routes with {@code staging:
 *     external})
 * @param fileFormats the named file format per snowhook format
 * @param onError COPY {@code ON_ERROR}: {@code SKIP_FILE} (default), {@code CONTINUE}, {@code ABORT_STATEMENT},
 *     {@code SKIP_FILE_<n>}, {@code 'SKIP_FILE_<n>%'}; any file not fully loaded fails its load and is rolled back
 * @param poolSize connections in the adapter's pool; defaults to {@code snowhook.loads.workers}
 * @param connectionTimeout how long a load waits for a connection (including login) before it counts as
 *     unavailable
 * @param jdbcProperties extra driver properties (e.g. {@code networkTimeout}, {@code maxHttpRetries})
 * @param transactions how load transactions share a table
 */
@Validated
@ConfigurationProperties("snowhook.warehouse.snowflake")
record SnowflakeProperties(
        @Nullable @Pattern(regexp = "jdbc:snowflake://.+", message = "must start with jdbc:snowflake://")
        String url,

        @Nullable @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_.-]*", message = "must be a Snowflake account identifier")
        String account,

        @NotBlank String user,
        @Nullable String password,
        @Nullable String privateKey,
        @Nullable Path privateKeyFile,
        @Nullable String privateKeyPassphrase,

        @NotBlank @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE)
        String warehouse,

        @NotBlank @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE)
        String database,

        @NotBlank @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE) @DefaultValue("PUBLIC")
        String schema,

        @Nullable @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE)
        String role,

        @NotBlank @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE) @DefaultValue("SNOWHOOK_STAGE")
        String internalStage,

        @DefaultValue Map<String, @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE) String> externalStages,
        @NotNull @Valid @DefaultValue FileFormats fileFormats,

        @NotBlank
        @Pattern(
                regexp = "(?i)CONTINUE|SKIP_FILE|SKIP_FILE_[0-9]+|'SKIP_FILE_[0-9]+%'|ABORT_STATEMENT",
                message = "must be CONTINUE, SKIP_FILE, SKIP_FILE_<n>, 'SKIP_FILE_<n>%' or ABORT_STATEMENT")
        @DefaultValue("SKIP_FILE")
        String onError,

        @Nullable @Min(1) Integer poolSize,
        @NotNull @DefaultValue("30s") Duration connectionTimeout,
        @DefaultValue Map<String, String> jdbcProperties,
        @NotNull @Valid @DefaultValue Transactions transactions) {

    static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_$]{0,254}";
    static final String IDENTIFIER_MESSAGE = "must be a plain identifier (letters, digits, _ and $)";
    private static final String PREFIX = "snowhook.warehouse.snowflake.";

    SnowflakeProperties {
        if (blank(url) && blank(account)) {
            throw new IllegalArgumentException("set " + PREFIX + "url or " + PREFIX + "account");
        }
        int secrets = (blank(password) ? 0 : 1) + (blank(privateKey) ? 0 : 1) + (privateKeyFile == null ? 0 : 1);
        if (secrets != 1) {
            throw new IllegalArgumentException("set exactly one of " + PREFIX + "password, " + PREFIX
                    + "private-key or " + PREFIX + "private-key-file");
        }
        if (!blank(privateKeyPassphrase) && !blank(password)) {
            throw new IllegalArgumentException(
                    PREFIX + "private-key-passphrase applies only to " + PREFIX + "private-key or private-key-file");
        }
        if (privateKeyFile != null && !privateKeyFile.toFile().canRead()) {
            throw new IllegalArgumentException(PREFIX + "private-key-file is not a readable file: " + privateKeyFile);
        }
        if (jdbcProperties != null) {
            for (String secret : new String[] {"password", "privateKey", "private_key_file", "private_key_base64"}) {
                if (jdbcProperties.keySet().stream().anyMatch(secret::equalsIgnoreCase)) {
                    throw new IllegalArgumentException(PREFIX + "jdbc-properties must not carry credentials (" + secret
                            + "); use " + PREFIX + "password or private-key");
                }
            }
        }
    }

    /** Whether key-pair (JWT) authentication is configured. */
    boolean keyPair() {
        return blank(password);
    }

    private static boolean blank(@Nullable String value) {
        return value == null || value.isBlank();
    }

    @Override
    public String toString() {
        // A URL's query may carry driver properties, credentials included: never print it.
        String shownUrl = url == null ? null : url.replaceFirst("\\?.*", "?…");
        return "SnowflakeProperties[url=" + shownUrl + ", account=" + account + ", user=" + user + ", auth="
                + (keyPair() ? "key-pair" : "password") + ", warehouse=" + warehouse + ", database=" + database
                + ", schema=" + schema + ", role=" + role + ", internalStage=" + internalStage + ", externalStages="
                + externalStages + ", poolSize=" + poolSize + ", transactions=" + transactions + "]";
    }

    /**
     * The named file formats (in {@code database.schema}) used per snowhook format.
     *
     * @param csv CSV format (with a header line to skip)
     * @param json newline-delimited JSON format
     * @param parquet Parquet format
     */
    /**
     * Load transactions ({@code BEGIN; DELETE; COPY; COMMIT}) take the target table's lock until they end, so loads
     * into one table run one at a time in Snowflake, and more than 20 statements waiting on one lock fail (000625).
     *
     * @param maxPerTable load transactions one replica runs at once per table; the others wait in the replica, so N
     *     replicas queue at most N - 1 statements on a table's lock
     * @param lockTimeout the session's {@code LOCK_TIMEOUT}, and how long a load waits in the replica for its turn on
     *     a table: a lock left by a killed replica's detached transaction fails waiting loads (transient, retried)
     *     after this long, instead of Snowflake's 12-hour default
     * @param statementTimeout the session's {@code STATEMENT_TIMEOUT_IN_SECONDS}: a statement running longer is
     *     cancelled by Snowflake (000630, transient) instead of Snowflake's 2-day default
     */
    record Transactions(
            @Min(1) @DefaultValue("1") int maxPerTable,
            @NotNull @DefaultValue("5m") Duration lockTimeout,
            @NotNull @DefaultValue("1h") Duration statementTimeout) {

        Transactions {
            if (lockTimeout != null && lockTimeout.toSeconds() < 1) {
                throw new IllegalArgumentException(PREFIX + "transactions.lock-timeout must be at least 1s");
            }
            if (statementTimeout != null && statementTimeout.toSeconds() < 1) {
                throw new IllegalArgumentException(PREFIX + "transactions.statement-timeout must be at least 1s");
            }
        }

        static Transactions defaults() {
            return new Transactions(1, Duration.ofMinutes(5), Duration.ofHours(1));
        }
    }

    record FileFormats(
            @NotBlank @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE) @DefaultValue("SNOWHOOK_CSV")
            String csv,

            @NotBlank @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE) @DefaultValue("SNOWHOOK_JSON")
            String json,

            @NotBlank @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_MESSAGE) @DefaultValue("SNOWHOOK_PARQUET")
            String parquet) {}
}

package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.blob.BlobSource;
import io.snowhook.warehouse.WorkerPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

class SnowflakeConfigurationTest {

    static final String P = "snowhook.warehouse.snowflake.";

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    ConfigurationPropertiesAutoConfiguration.class, ValidationAutoConfiguration.class))
            .withUserConfiguration(SnowflakeConfiguration.class)
            // external staging pins blob versions through the blob port; these tests never reach it
            .withBean(BlobSource.class, () -> new FolderBlobs(blobs))
            .withBean(WorkerPool.class, () -> new WorkerPool(7, Duration.ofMinutes(5)));

    @TempDir
    static Path blobs;

    final String[] valid = {
        "snowhook.warehouse.type=snowflake",
        P + "account=myorg-myaccount",
        // loopback even though the pool never connects at start-up: tests send no packet elsewhere
        P + "url=jdbc:snowflake://127.0.0.1:9/?ssl=off",
        P + "user=SNOWHOOK",
        P + "password=s3cret-value",
        P + "warehouse=LOAD_WH",
        P + "database=JAVASIPS",
        P + "jdbc-properties.disablePlatformDetection=true"
    };

    @Test
    void staysOffUnlessTheWarehouseTypeIsSnowflake() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SnowflakeWarehouse.class));
        runner.withPropertyValues("snowhook.warehouse.type=duckdb")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SnowflakeWarehouse.class));
    }

    @Test
    void sizesThePoolToTheWorkersAndAppliesDefaults() {
        runner.withPropertyValues(valid).run(context -> {
            assertThat(context).hasSingleBean(SnowflakeWarehouse.class);
            SnowflakeProperties p = context.getBean(SnowflakeProperties.class);
            assertThat(p.schema()).isEqualTo("PUBLIC");
            assertThat(p.internalStage()).isEqualTo("SNOWHOOK_STAGE");
            assertThat(p.onError()).isEqualTo("SKIP_FILE");
            assertThat(p.fileFormats().csv()).isEqualTo("SNOWHOOK_CSV");
            assertThat(SnowflakeWarehouse.poolConfig(p, 7).getMaximumPoolSize()).isEqualTo(7);
            assertThat(context.getBean(SnowflakeWarehouse.class).poolSize()).isEqualTo(7);
        });
        runner.withPropertyValues(valid)
                .withPropertyValues(P + "pool-size=2")
                .run(context -> assertThat(
                                context.getBean(SnowflakeWarehouse.class).poolSize())
                        .isEqualTo(2));
    }

    @Test
    void failsAtStartUpNamingAMissingCredential() {
        runner.withPropertyValues(without(P + "password"))
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining(P + "password")
                        .hasMessageContaining(P + "private-key-file"));
    }

    @Test
    void failsAtStartUpWhenNeitherUrlNorAccountIsSet() {
        runner.withPropertyValues(without(P + "account", P + "url"))
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining(P + "url or " + P + "account"));
    }

    @Test
    void failsAtStartUpOnAnIdentifierThatIsNotPlain() {
        runner.withPropertyValues(valid)
                .withPropertyValues(P + "database=JAVA\"SIPS")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining(P + "database")
                        .hasStackTraceContaining("must be a plain identifier"));
    }

    @Test
    void failsAtStartUpWhenCredentialsHideInJdbcProperties() {
        runner.withPropertyValues(valid)
                .withPropertyValues(P + "jdbc-properties.password=x")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining(P + "jdbc-properties must not carry credentials"));
    }

    @Test
    void neverPrintsSecrets() {
        runner.withPropertyValues(valid)
                .withPropertyValues(P + "url=jdbc:snowflake://127.0.0.1:9/?ssl=off&passcode=654321")
                .run(context -> assertThat(
                                context.getBean(SnowflakeProperties.class).toString())
                        .doesNotContain("s3cret-value")
                        .doesNotContain("654321")
                        .contains("url=jdbc:snowflake://127.0.0.1:9/?…")
                        .contains("auth=password"));
    }

    String[] without(String... properties) {
        return Arrays.stream(valid)
                .filter(v -> Arrays.stream(properties).noneMatch(p -> v.startsWith(p + "=")))
                .toArray(String[]::new);
    }
}

package io.snowhook.warehouse.snowflake;

import io.snowhook.blob.BlobSource;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Makes Snowflake the warehouse when {@code snowhook.warehouse.type=snowflake}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "snowhook.warehouse.type", havingValue = "snowflake")
@EnableConfigurationProperties(SnowflakeProperties.class)
class SnowflakeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SnowflakeConfiguration.class);

    /** The pool matches the worker pool: every worker can hold a connection, none waits for one. */
    static final String WORKERS = "snowhook.loads.workers";

    static final int DEFAULT_WORKERS = 4;

    /** Staged files older than a lease (and a try's longest wait and COPY) belong to no running try. */
    static final String LEASE = "snowhook.loads.lease";

    @Bean
    SnowflakeWarehouse snowflakeWarehouse(SnowflakeProperties properties, Environment environment, BlobSource blobs) {
        // An intake-only replica (workers = 0) still answers readiness checks: at least one connection.
        int poolSize = properties.poolSize() != null
                ? properties.poolSize()
                : Math.max(1, environment.getProperty(WORKERS, Integer.class, DEFAULT_WORKERS));
        log.info("Snowflake warehouse: {}, pool size {}", properties, poolSize);
        Duration lease = environment.getProperty(LEASE, Duration.class, SnowflakeWarehouse.DEFAULT_LEASE);
        return new SnowflakeWarehouse(properties, poolSize, Clock.systemUTC(), lease, blobs);
    }
}

package io.snowhook.warehouse.snowflake;

import io.snowhook.blob.BlobSource;
import io.snowhook.warehouse.WorkerPool;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Makes Snowflake the warehouse when {@code snowhook.warehouse.type=snowflake}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "snowhook.warehouse.type", havingValue = "snowflake")
@EnableConfigurationProperties(SnowflakeProperties.class)
class SnowflakeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SnowflakeConfiguration.class);

    @Bean
    SnowflakeWarehouse snowflakeWarehouse(SnowflakeProperties properties, WorkerPool workers, BlobSource blobs) {
        int poolSize = poolSize(properties, workers);
        log.info("Snowflake warehouse: {}, pool size {}", properties, poolSize);
        // Staged files older than a lease (and a try's longest wait and COPY) belong to no running try.
        return new SnowflakeWarehouse(properties, poolSize, Clock.systemUTC(), workers.lease(), blobs);
    }

    /**
     * {@code pool-size}, else one connection per worker, so no worker waits for one; an intake-only replica (no
     * workers) still answers readiness checks with one.
     */
    static int poolSize(SnowflakeProperties properties, WorkerPool workers) {
        return properties.poolSize() != null ? properties.poolSize() : Math.max(1, workers.workers());
    }
}

package io.snowhook.warehouse.duckdb;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/** Makes the embedded DuckDB the warehouse unless {@code snowhook.warehouse.type} names another. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "snowhook.warehouse.type", havingValue = "duckdb", matchIfMissing = true)
@EnableConfigurationProperties(DuckDbProperties.class)
class DuckDbConfiguration {

    @Bean
    DuckDbWarehouse duckDbWarehouse(DuckDbProperties properties, ResourceLoader resources) {
        return new DuckDbWarehouse(properties, resources);
    }
}

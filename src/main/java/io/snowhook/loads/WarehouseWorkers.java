package io.snowhook.loads;

import io.snowhook.warehouse.WorkerPool;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tells the warehouse adapters how the workers use them: how many loads run at once and their lease. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LoadsProperties.class)
class WarehouseWorkers {

    @Bean
    WorkerPool workerPool(LoadsProperties properties) {
        return new WorkerPool(properties.workers(), properties.lease());
    }
}

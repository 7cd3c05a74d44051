package io.snowhook.loads.web;

import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.stereotype.Component;

/**
 * Asks the warehouse and blob-storage health indicators directly (through the health contributor registry,
 * not a probe group): the console shows them whatever the probes are made of. {@code UNKNOWN} where an
 * indicator is not registered (health disabled, or a test slice without actuator).
 */
@Component
class DependencyHealth {

    static final String WAREHOUSE = "warehouse";
    static final String STORAGE = "blobStorage";

    private final ObjectProvider<HealthContributorRegistry> registry;

    DependencyHealth(ObjectProvider<HealthContributorRegistry> registry) {
        this.registry = registry;
    }

    StatsResponse.HealthSummary now() {
        return new StatsResponse.HealthSummary(status(WAREHOUSE), status(STORAGE));
    }

    private String status(String name) {
        HealthContributorRegistry contributors = registry.getIfAvailable();
        HealthContributor contributor = contributors == null ? null : contributors.getContributor(name);
        if (contributor instanceof HealthIndicator indicator) {
            return indicator.health(false).getStatus().getCode().toUpperCase(Locale.ROOT);
        }
        return "UNKNOWN";
    }
}

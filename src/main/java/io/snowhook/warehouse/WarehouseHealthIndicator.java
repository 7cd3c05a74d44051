package io.snowhook.warehouse;

import io.snowhook.system.DependencyHealth;
import io.snowhook.system.Outages;
import java.util.Map;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * Health (details and metrics, not readiness): the configured warehouse (DuckDB file, Snowflake {@code SELECT
 * 1}) answers within the check timeout. Health name {@code warehouse}.
 */
@Component
@EnableConfigurationProperties(WarehouseProperties.class)
class WarehouseHealthIndicator extends DependencyHealth {

    private final Warehouse warehouse;
    private final String type;

    WarehouseHealthIndicator(Warehouse warehouse, WarehouseProperties properties, Outages outages) {
        super(outages);
        this.warehouse = warehouse;
        this.type = properties.type();
    }

    @Override
    public Health health() {
        return health(Outages.WAREHOUSE, warehouse::check, Map.of("type", type));
    }
}

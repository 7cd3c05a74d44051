package io.snowhook.warehouse;

import io.snowhook.system.ReadinessCheck;
import java.util.Map;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/** Readiness: the configured warehouse (DuckDB file, Snowflake {@code SELECT 1}) answers. Health name {@code warehouse}. */
@Component
@EnableConfigurationProperties(WarehouseProperties.class)
class WarehouseHealthIndicator extends ReadinessCheck {

    private final Warehouse warehouse;
    private final String type;

    WarehouseHealthIndicator(Warehouse warehouse, WarehouseProperties properties) {
        super("the " + properties.type() + " warehouse");
        this.warehouse = warehouse;
        this.type = properties.type();
    }

    @Override
    protected Map<String, Object> check() {
        warehouse.check();
        return Map.of("type", type);
    }
}

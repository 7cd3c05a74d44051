package io.snowhook.system;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A health indicator for a dependency snowhook cannot load without (storage, warehouse): put it in the
 * readiness group only, never liveness — an outage of a dependency must take pods out of the Service, not
 * restart them. Logs once when the dependency goes away and once when it is back, not on every probe.
 */
public abstract class ReadinessCheck implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(ReadinessCheck.class);

    private final String dependency;
    private final AtomicBoolean down = new AtomicBoolean();

    protected ReadinessCheck(String dependency) {
        this.dependency = dependency;
    }

    /**
     * A cheap round trip to the dependency.
     *
     * @return details shown to the operator credential (never secrets)
     * @throws RuntimeException when the dependency cannot be reached
     */
    protected abstract Map<String, Object> check();

    @Override
    public final Health health() {
        try {
            Map<String, Object> details = check();
            if (down.compareAndSet(true, false)) {
                log.info("Readiness: {} is reachable again", dependency);
            }
            return Health.up().withDetails(details).build();
        } catch (RuntimeException e) {
            if (down.compareAndSet(false, true)) {
                log.warn(
                        "Readiness: {} is not reachable, this replica takes no events until it is: {}",
                        dependency,
                        e.toString());
            }
            return Health.down()
                    .withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                    .build();
        }
    }
}

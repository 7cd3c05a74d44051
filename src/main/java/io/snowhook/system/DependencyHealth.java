package io.snowhook.system;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A health indicator for a dependency snowhook loads through (the warehouse, a storage account). It shows in
 * {@code /actuator/health} details and in metrics, never in the readiness group: every replica shares these
 * dependencies, and taking all of them out of the Service would refuse the events the ledger could queue.
 * It answers within {@code snowhook.outages.check-timeout}, feeds {@link Outages}, and logs once when the
 * dependency goes away and once when it is back, not on every probe.
 */
public abstract class DependencyHealth implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(DependencyHealth.class);

    private final Outages outages;
    private final Map<String, AtomicBoolean> unreachable = new ConcurrentHashMap<>();

    protected DependencyHealth(Outages outages) {
        this.outages = outages;
    }

    /**
     * Checks one dependency within the timeout.
     *
     * @param details filled by {@code check} (never secrets) and with the outage state
     * @return whether it answered
     */
    protected boolean check(String dependency, Runnable check, Map<String, Object> details) {
        try {
            outages.check(dependency, check);
            if (flag(dependency).compareAndSet(true, false)) {
                log.info("Health: {} is reachable again", dependency);
            }
            details.putAll(outages.details(dependency));
            return true;
        } catch (RuntimeException e) {
            if (flag(dependency).compareAndSet(false, true)) {
                log.warn("Health: {} is not reachable: {}", dependency, e.toString());
            }
            details.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
            details.putAll(outages.details(dependency));
            return false;
        }
    }

    /** Runs {@link #check(String, Runnable, Map)} for one dependency and builds its health. */
    protected Health health(String dependency, Runnable check, Map<String, Object> details) {
        Map<String, Object> all = new LinkedHashMap<>(details);
        boolean up = check(dependency, check, all);
        return (up ? Health.up() : Health.down()).withDetails(all).build();
    }

    protected Outages outages() {
        return outages;
    }

    protected void noteReachable(String dependency, boolean reachable, String error) {
        if (reachable && flag(dependency).compareAndSet(true, false)) {
            log.info("Health: {} is reachable again", dependency);
        } else if (!reachable && flag(dependency).compareAndSet(false, true)) {
            log.warn("Health: {} is not reachable: {}", dependency, error);
        }
    }

    private AtomicBoolean flag(String dependency) {
        return unreachable.computeIfAbsent(dependency, d -> new AtomicBoolean());
    }
}

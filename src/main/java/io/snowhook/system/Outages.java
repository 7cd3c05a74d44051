package io.snowhook.system;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Which dependencies (the warehouse, each storage account) are known down: {@code snowhook.outages.failures}
 * consecutive connection-level failures — the dependency gave no answer at all (refused, reset, timed out) —
 * make it known down; any success (a load, a health check, a probe) clears it. An error the dependency
 * answered with (503, 403, bad data) neither counts nor clears.
 *
 * <p>Workers leave loads whose dependency is known down in the queue instead of spending their tries on it;
 * health checks and probes run here, each answering within {@code snowhook.outages.check-timeout}. Metrics:
 * {@code snowhook.dependency.down} (1 while known down) and {@code snowhook.dependency.failures} (the
 * consecutive connection-level failures), tagged with the dependency.
 */
@Component
@EnableConfigurationProperties(OutagesProperties.class)
public class Outages implements DisposableBean {

    /** The dependency name of the warehouse. */
    public static final String WAREHOUSE = "warehouse";

    private static final String STORAGE = "storage/";
    private static final Logger log = LoggerFactory.getLogger(Outages.class);

    private final OutagesProperties properties;
    private final ApplicationEventPublisher events;
    private final @Nullable MeterRegistry meters;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final ExecutorService checks = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "snowhook-health-check");
        t.setDaemon(true);
        return t;
    });

    @Autowired
    Outages(OutagesProperties properties, ApplicationEventPublisher events, ObjectProvider<MeterRegistry> meters) {
        this(properties, events, meters.getIfAvailable());
    }

    /** Outages with its own settings, publishing to {@code events}, with metrics when {@code meters} is given. */
    public Outages(OutagesProperties properties, ApplicationEventPublisher events, @Nullable MeterRegistry meters) {
        this.properties = properties;
        this.events = events;
        this.meters = meters;
    }

    /** The dependency name of one storage account. */
    public static String storage(String account) {
        return STORAGE + account.toLowerCase(Locale.ROOT);
    }

    /** The storage account a dependency name is for, or null for the warehouse. */
    public static @Nullable String accountOf(String dependency) {
        return dependency.startsWith(STORAGE) ? dependency.substring(STORAGE.length()) : null;
    }

    /**
     * Records a failure of {@code dependency}; only connection-level failures count ({@link
     * TransientFailure#isConnectionLevel}).
     *
     * @return whether the dependency is known down now
     */
    public boolean failed(String dependency, Throwable failure) {
        State state = state(dependency);
        if (!TransientFailure.isConnectionLevel(failure)) {
            return state.down.get();
        }
        int failures = state.failures.incrementAndGet();
        state.lastError = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        if (failures >= properties.failures() && state.down.compareAndSet(false, true)) {
            state.since = Instant.now();
            log.warn(
                    "{} is known down after {} consecutive connection-level failures; its loads wait in the queue"
                            + " and it is probed every {}: {}",
                    dependency,
                    failures,
                    properties.probeInterval(),
                    state.lastError);
        }
        return state.down.get();
    }

    /** Records that {@code dependency} answered: clears its failures and ends an outage. */
    public void succeeded(String dependency) {
        State state = state(dependency);
        state.failures.set(0);
        if (state.down.compareAndSet(true, false)) {
            Instant since = state.since;
            log.info(
                    "{} answers again after {}; its queued loads are taken up",
                    dependency,
                    since == null ? "an outage" : Duration.between(since, Instant.now()));
            events.publishEvent(new OutageEnded(dependency));
        }
    }

    public boolean isDown(String dependency) {
        State state = states.get(dependency);
        return state != null && state.down.get();
    }

    /** The dependencies known down now. */
    public Set<String> down() {
        Set<String> down = new TreeSet<>();
        states.forEach((name, state) -> {
            if (state.down.get()) {
                down.add(name);
            }
        });
        return down;
    }

    /** The storage accounts known down now (lower case). */
    public Set<String> accountsDown() {
        Set<String> accounts = new TreeSet<>();
        down().forEach(d -> {
            String account = accountOf(d);
            if (account != null) {
                accounts.add(account);
            }
        });
        return accounts;
    }

    /** What health details show for a dependency: whether it is known down, since when, and its failures. */
    public Map<String, Object> details(String dependency) {
        State state = state(dependency);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("knownDown", state.down.get());
        details.put("consecutiveFailures", state.failures.get());
        Instant since = state.since;
        if (state.down.get() && since != null) {
            details.put("downSince", since.toString());
        }
        return details;
    }

    /**
     * Runs a health check or probe of {@code dependency} within {@code check-timeout} and records its
     * outcome. A check still running from an earlier call (a dependency that hangs) is not started twice:
     * the call fails at once.
     *
     * @throws RuntimeException what the check threw, or {@link CheckTimedOut}
     */
    public void check(String dependency, Runnable check) {
        await(
                dependency,
                start(dependency, check),
                System.nanoTime() + properties.checkTimeout().toNanos());
    }

    /** Starts a check of {@code dependency} in the background; finish it with {@link #await}. */
    public CompletableFuture<Void> start(String dependency, Runnable check) {
        State state = state(dependency);
        if (!state.checking.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new CheckTimedOut(dependency, properties.checkTimeout()));
        }
        try {
            return CompletableFuture.runAsync(
                    () -> {
                        try {
                            check.run();
                        } finally {
                            state.checking.set(false);
                        }
                    },
                    checks);
        } catch (RuntimeException e) {
            state.checking.set(false);
            throw e;
        }
    }

    /**
     * Waits for a check started by {@link #start} until {@code deadline} ({@link System#nanoTime()}) and
     * records its outcome.
     */
    public void await(String dependency, CompletableFuture<Void> check, long deadline) {
        try {
            check.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            succeeded(dependency);
        } catch (TimeoutException e) {
            CheckTimedOut timedOut = new CheckTimedOut(dependency, properties.checkTimeout());
            failed(dependency, timedOut);
            throw timedOut;
        } catch (ExecutionException e) {
            RuntimeException failure = e.getCause() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
            failed(dependency, failure);
            throw failure;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckTimedOut(dependency, properties.checkTimeout());
        }
    }

    /** The check timeout in nanoseconds, for callers that share one deadline among several checks. */
    public long checkTimeoutNanos() {
        return properties.checkTimeout().toNanos();
    }

    /** How often a known-down dependency is probed. */
    public Duration probeInterval() {
        return properties.probeInterval();
    }

    private State state(String dependency) {
        return states.computeIfAbsent(dependency, name -> {
            State state = new State();
            MeterRegistry registry = meters;
            if (registry != null) {
                Gauge.builder("snowhook.dependency.down", state, s -> s.down.get() ? 1 : 0)
                        .description("1 while the dependency is known down")
                        .tag("dependency", name)
                        .register(registry);
                Gauge.builder("snowhook.dependency.failures", state, s -> s.failures.get())
                        .description("consecutive connection-level failures of the dependency")
                        .tag("dependency", name)
                        .register(registry);
            }
            return state;
        });
    }

    @Override
    public void destroy() {
        checks.shutdownNow();
    }

    private static final class State {
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean down = new AtomicBoolean();
        final AtomicBoolean checking = new AtomicBoolean();
        volatile @Nullable Instant since;
        volatile @Nullable String lastError;
    }
}

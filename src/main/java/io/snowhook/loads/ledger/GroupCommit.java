package io.snowhook.loads.ledger;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Group commit: the units of work of concurrent callers (each the recording of one request's events) run by a
 * few committer threads in shared transactions, up to {@code maxUnits} in one, so that one commit — one H2
 * chunk write, one PostgreSQL WAL flush — acknowledges every request of the group. A caller returns only after
 * the transaction that holds its unit committed, so nothing acknowledged is lost; a committer takes what is
 * waiting and never waits for more, so a lone request is committed at once.
 *
 * <p>A shared transaction that fails is rolled back whole and each of its units is redone in a transaction of
 * its own: one request's failure (a refused row, a deadlock with another group) fails only that request, and
 * every request is recorded atomically or not at all. The units must therefore be free of side effects outside
 * the transaction, and must not fail the transaction for what they settle themselves (a duplicate resolved by a
 * unique constraint).
 *
 * <p>Hand-written (a queue and a few threads): connection pools and {@code TransactionTemplate} have no group
 * commit of their own, and the databases' own (PostgreSQL's {@code commit_delay}) still costs a round trip and
 * a commit per request.
 *
 * @param <I> a unit's input
 * @param <O> a unit's output
 */
final class GroupCommit<I, O> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** How often an idle committer looks whether the group commit was closed. */
    private static final Duration IDLE_CHECK = Duration.ofMillis(100);

    private final TransactionOperations transaction;
    private final Function<List<I>, List<O>> units;
    private final UnaryOperator<List<O>> afterCommit;
    private final int maxUnits;
    private final BlockingQueue<Pending<I, O>> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> committers = new ArrayList<>();
    private final DistributionSummary groupSizes;
    private volatile boolean closed;

    /**
     * @param units runs the units of a group (in the order their callers came) inside one transaction and
     *     returns one output per unit, in order
     * @param afterCommit runs after the commit on the outputs of the whole group, in order, and returns what the
     *     callers get (same size); it must not throw for what the commit already settled
     */
    GroupCommit(
            String name,
            TransactionOperations transaction,
            Function<List<I>, List<O>> units,
            UnaryOperator<List<O>> afterCommit,
            int committers,
            int maxUnits,
            MeterRegistry registry) {
        if (committers < 1 || maxUnits < 1) {
            throw new IllegalArgumentException("a group commit needs at least one committer and one unit per group");
        }
        this.transaction = transaction;
        this.units = units;
        this.afterCommit = afterCommit;
        this.maxUnits = maxUnits;
        this.groupSizes = DistributionSummary.builder("snowhook.ledger.commit.group")
                .description("Requests acknowledged by one ledger commit (group commit of concurrent requests)")
                .baseUnit("requests")
                .tag("work", name)
                .register(registry);
        CustomizableThreadFactory threads = new CustomizableThreadFactory("snowhook-" + name + "-commit-");
        threads.setDaemon(true);
        for (int i = 0; i < committers; i++) {
            Thread committer = threads.newThread(this::commitGroups);
            this.committers.add(committer);
            committer.start();
        }
    }

    /**
     * Runs {@code input}'s unit in a transaction, most likely shared with other callers' units, and returns its
     * output once that transaction committed.
     *
     * @throws RuntimeException what the unit, its transaction or the after-commit step threw when it ran alone
     */
    O submit(I input) {
        Pending<I, O> pending = new Pending<>(input, new CompletableFuture<>());
        if (closed) {
            runAlone(pending);
        } else {
            waiting.add(pending);
            if (closed && waiting.remove(pending)) {
                // closed meanwhile: no committer may be left to take it
                runAlone(pending);
            }
        }
        try {
            return pending.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the ledger commits the request", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** How many units wait for a committer. */
    int waiting() {
        return waiting.size();
    }

    /** Commits what is waiting, then stops the committers; later units run on their callers' threads. */
    @Override
    public void close() {
        closed = true;
        // no interrupt: a JDBC driver's file or socket I/O may not survive one (H2 closes its file channel)
        for (Thread committer : committers) {
            try {
                committer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Pending<I, O> left;
        while ((left = waiting.poll()) != null) {
            runAlone(left);
        }
    }

    private void commitGroups() {
        List<Pending<I, O>> group = new ArrayList<>(maxUnits);
        while (true) {
            Pending<I, O> first;
            try {
                first = waiting.poll(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            group.add(first);
            waiting.drainTo(group, maxUnits - 1);
            commit(group);
            group.clear();
        }
    }

    private void commit(List<Pending<I, O>> group) {
        List<O> outputs;
        try {
            List<I> inputs = new ArrayList<>(group.size());
            group.forEach(p -> inputs.add(p.input()));
            outputs = Objects.requireNonNull(transaction.execute(status -> units.apply(inputs)));
        } catch (RuntimeException | Error failed) {
            if (group.size() == 1) {
                group.get(0).result().completeExceptionally(failed);
                return;
            }
            log.debug("a group of {} requests was rolled back; each is committed alone", group.size(), failed);
            group.forEach(this::runAlone);
            return;
        }
        groupSizes.record(group.size());
        complete(group, outputs);
    }

    private void runAlone(Pending<I, O> pending) {
        try {
            List<O> output = transaction.execute(status -> units.apply(List.of(pending.input())));
            groupSizes.record(1);
            complete(List.of(pending), Objects.requireNonNull(output));
        } catch (RuntimeException | Error failed) {
            pending.result().completeExceptionally(failed);
        }
    }

    private void complete(List<Pending<I, O>> group, List<O> committed) {
        List<O> outputs;
        try {
            outputs = afterCommit.apply(committed);
        } catch (RuntimeException | Error failed) {
            // committed, so the callers are answered with what was recorded
            log.warn("after the ledger commit of {} requests: {}", group.size(), failed.toString());
            outputs = committed;
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).result().complete(outputs.get(i));
        }
    }

    private record Pending<I, O>(I input, CompletableFuture<O> result) {}
}

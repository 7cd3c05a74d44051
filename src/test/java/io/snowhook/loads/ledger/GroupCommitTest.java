package io.snowhook.loads.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The group commit on an in-memory "database": a transaction is a list of writes applied at commit, or dropped
 * when the callback throws.
 */
class GroupCommitTest {

    final List<String> committed = new CopyOnWriteArrayList<>();
    final List<Integer> transactionSizes = new CopyOnWriteArrayList<>();
    final ThreadLocal<List<String>> open = new ThreadLocal<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ExecutorService callers = Executors.newFixedThreadPool(16);

    /** Commits block on this latch, so that callers queue up behind the first transaction. */
    volatile CountDownLatch commitGate = new CountDownLatch(0);

    final TransactionOperations transactions = new TransactionOperations() {
        @Override
        public <T> @Nullable T execute(TransactionCallback<T> action) {
            List<String> writes = new ArrayList<>();
            open.set(writes);
            try {
                TransactionStatus status = new SimpleTransactionStatus();
                T result = action.doInTransaction(status);
                await(commitGate);
                committed.addAll(writes);
                transactionSizes.add(writes.size());
                return result;
            } finally {
                open.remove();
            }
        }
    };

    GroupCommit<String, String> group;

    GroupCommit<String, String> start(Function<String, String> unit, int maxUnits) {
        group = new GroupCommit<>(
                "test",
                transactions,
                inputs -> inputs.stream().map(unit).toList(),
                outputs -> outputs,
                1,
                maxUnits,
                registry);
        return group;
    }

    /** Counted down when the unit of "first" runs. */
    final CountDownLatch firstRunning = new CountDownLatch(1);

    /** A unit that writes its input, and fails for "poison". */
    String write(String input) {
        if (input.equals("first")) {
            firstRunning.countDown();
        }
        if (input.startsWith("poison")) {
            throw new IllegalArgumentException("refused: " + input);
        }
        open.get().add(input);
        return "recorded " + input;
    }

    @AfterEach
    void close() {
        commitGate.countDown();
        if (group != null) {
            group.close();
        }
        callers.shutdownNow();
    }

    @Test
    void answersEachCallerAfterItsUnitCommitted() {
        start(this::write, 64);

        assertThat(group.submit("a")).isEqualTo("recorded a");
        assertThat(committed).containsExactly("a");
    }

    @Test
    void commitsTheUnitsOfConcurrentCallersInSharedTransactions() throws Exception {
        start(this::write, 64);
        List<Future<String>> answers = firstThenQueuedBehindIt(10);

        for (Future<String> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).startsWith("recorded ");
        }
        assertThat(committed).hasSize(11);
        // the first alone (it was running when the others came), then the ten that waited in one transaction
        assertThat(transactionSizes).containsExactly(1, 10);
        DistributionSummary groups =
                registry.get("snowhook.ledger.commit.group").summary();
        assertThat(groups.count()).isEqualTo(2);
        assertThat(groups.max()).isEqualTo(10);
    }

    @Test
    void takesNoMoreThanMaxUnitsIntoOneTransaction() throws Exception {
        start(this::write, 4);
        List<Future<String>> answers = firstThenQueuedBehindIt(10);
        for (Future<String> answer : answers) {
            answer.get(10, TimeUnit.SECONDS);
        }

        assertThat(transactionSizes).containsExactly(1, 4, 4, 2);
    }

    @Test
    void failsOnlyTheCallerWhoseUnitFailedAndCommitsTheOthersOfItsGroup() throws Exception {
        start(this::write, 64);
        commitGate = new CountDownLatch(1);
        Future<String> first = callers.submit(() -> group.submit("first"));
        awaitFirstRunning();
        List<Future<String>> good = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String input = "good-" + i;
            good.add(callers.submit(() -> group.submit(input)));
        }
        Future<String> poisoned = callers.submit(() -> group.submit("poison-1"));
        for (int i = 3; i < 6; i++) {
            String input = "good-" + i;
            good.add(callers.submit(() -> group.submit(input)));
        }
        awaitQueued(7);
        commitGate.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("recorded first");
        for (Future<String> answer : good) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).startsWith("recorded good-");
        }
        assertThatThrownBy(() -> poisoned.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .cause()
                .hasMessage("refused: poison-1");
        // the shared transaction was rolled back whole, then each good unit was committed alone, exactly once
        assertThat(committed)
                .containsExactlyInAnyOrder("first", "good-0", "good-1", "good-2", "good-3", "good-4", "good-5");
        assertThat(transactionSizes).containsExactly(1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void answersWithWhatWasCommittedWhenTheStepAfterTheCommitFails() {
        group = new GroupCommit<>(
                "test",
                transactions,
                inputs -> inputs.stream().map(this::write).toList(),
                outputs -> {
                    throw new IllegalStateException("database gone after the commit");
                },
                1,
                64,
                registry);

        assertThat(group.submit("a")).isEqualTo("recorded a");
        assertThat(committed).containsExactly("a");
    }

    @Test
    void runsUnitsOnTheCallersThreadOnceClosed() {
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        start(
                input -> {
                    ranOn.add(Thread.currentThread());
                    return write(input);
                },
                64);
        group.close();

        assertThat(group.submit("a")).isEqualTo("recorded a");
        assertThat(ranOn).containsExactly(Thread.currentThread());
        assertThat(committed).containsExactly("a");
    }

    /**
     * Submits "first" and, while its transaction is held at the commit, {@code n} units more, which queue up;
     * then lets the commits go.
     */
    private List<Future<String>> firstThenQueuedBehindIt(int n) throws InterruptedException {
        commitGate = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        answers.add(callers.submit(() -> group.submit("first")));
        awaitFirstRunning();
        for (int i = 0; i < n; i++) {
            String input = "unit-" + i;
            answers.add(callers.submit(() -> group.submit(input)));
        }
        awaitQueued(n);
        commitGate.countDown();
        return answers;
    }

    /** Waits until the first caller's unit is in its transaction (held at the commit). */
    private void awaitFirstRunning() throws InterruptedException {
        assertThat(firstRunning.await(10, TimeUnit.SECONDS))
                .as("first unit running")
                .isTrue();
    }

    /** Waits until {@code n} callers wait in the queue behind the running transaction. */
    private void awaitQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (group.waiting() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("callers did not queue up: " + group.waiting() + " of " + n);
            }
            Thread.sleep(5);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("commit gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

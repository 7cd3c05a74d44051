package io.snowhook.loads.ledger;

import io.snowhook.system.DependencyHealth;
import io.snowhook.system.Outages;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.health.contributor.Health;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Readiness: the ledger accepts writes — what intake needs to answer an event with 202. It runs an {@code
 * UPDATE} that matches no row, which a read-only database (a PostgreSQL standby, a read-only H2 file) refuses
 * like any write, and it takes no row lock. Answers within {@code snowhook.outages.check-timeout}. Health name
 * {@code ledger}.
 */
@Component("ledger")
class LedgerHealthIndicator extends DependencyHealth {

    static final String LEDGER = "ledger";
    private static final UUID NO_LOAD = new UUID(0, 0);

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    LedgerHealthIndicator(JdbcClient jdbc, PlatformTransactionManager transactions, Outages outages) {
        super(outages);
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
    }

    @Override
    public Health health() {
        return health(
                LEDGER,
                () -> transaction.executeWithoutResult(
                        status -> jdbc.sql("UPDATE loads SET attempts = attempts WHERE id = :id")
                                .param("id", NO_LOAD)
                                .update()),
                Map.of());
    }
}

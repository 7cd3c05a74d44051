package io.snowhook.loads.work;

import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.snowhook.loads.ledger.LedgerSlice;
import io.snowhook.loads.ledger.LoadService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Claiming on an H2 file with H2's own trace level (errors to {@code <database>.trace.db}): every SQL error
 * H2 sees would show as a trace file, which a long-running ledger would grow without end.
 */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Transactional(propagation = Propagation.NOT_SUPPORTED)
@Import({LoadQueue.class, LedgerSlice.class})
@TestPropertySource(
        properties = "spring.datasource.url=jdbc:h2:file:${java.io.tmpdir}/snowhook-queue-h2-${random.uuid}/ledger"
                + ";AUTO_SERVER=FALSE")
class LoadQueueH2FileTest {

    @Autowired
    LoadQueue queue;

    @Autowired
    LoadService loads;

    @Autowired
    DataSource dataSource;

    @Test
    void claimsWithoutAnErrorInH2sTraceFile() {
        for (int i = 0; i < 3; i++) {
            loads.submit(List.of(event(uniqueOrders(), "0x8DCB" + UUID.randomUUID(), "0001")));
            assertThat(queue.claim("w1", Duration.ofMinutes(5))).isPresent();
        }

        String url = ((HikariDataSource) dataSource).getJdbcUrl();
        Path database = Path.of(url.substring("jdbc:h2:file:".length(), url.indexOf(';')));
        assertThat(database.resolveSibling(database.getFileName() + ".mv.db")).exists();
        assertThat(database.resolveSibling(database.getFileName() + ".trace.db"))
                .doesNotExist();
    }
}

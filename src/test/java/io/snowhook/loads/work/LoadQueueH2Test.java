package io.snowhook.loads.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.TestPropertySource;

/** Claiming on H2, the embedded default: a conditional UPDATE per claim. */
@TestPropertySource(properties = "spring.datasource.url=jdbc:h2:mem:queue-h2;DB_CLOSE_DELAY=-1")
class LoadQueueH2Test extends LoadQueueContract {

    @Test
    void treatsOnlyAnH2FileOfItsOwnAsExclusive() {
        assertThat(LoadQueue.isExclusive("H2", "jdbc:h2:file:./data/snowhook-ledger;AUTO_SERVER=FALSE"))
                .isTrue();
        assertThat(LoadQueue.isExclusive("H2", "jdbc:h2:./data/ledger")).isTrue();
        assertThat(LoadQueue.isExclusive("H2", "jdbc:h2:file:./data/ledger;AUTO_SERVER=TRUE"))
                .isFalse();
        assertThat(LoadQueue.isExclusive("H2", "jdbc:h2:file:./data/ledger;FILE_LOCK=NO"))
                .as("another process may open it too")
                .isFalse();
        assertThat(LoadQueue.isExclusive("H2", "jdbc:h2:tcp://db:9092/ledger")).isFalse();
        assertThat(LoadQueue.isExclusive("H2", "jdbc:h2:mem:ledger")).isFalse();
        assertThat(LoadQueue.isExclusive("PostgreSQL", "jdbc:postgresql://127.0.0.1:5432/test"))
                .isFalse();
    }

    @Test
    void leavesLoadsOfAPossiblySharedLedgerToTheirLeases() {
        Load load = queued();
        queue.claim("w1", LEASE).orElseThrow();

        assertThat(queue.requeueOrphans()).isZero();
        assertThat(loads.get(load.id()).status()).isEqualTo(LoadStatus.LOADING);
    }

    @Test
    void shipsALedgerUrlThatKeepsH2sTraceFileOff(@TempDir Path dir) throws Exception {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yml"));
        Properties shipped = yaml.getObject();
        String url = shipped.getProperty("spring.datasource.url").replace("./data/", dir + "/");

        try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
            assertThatThrownBy(() -> connection.createStatement().executeQuery("SELECT claimedBy FROM nothing"))
                    .isInstanceOf(SQLException.class);
        }

        assertThat(dir.resolve("snowhook-ledger.mv.db")).exists();
        assertThat(dir.resolve("snowhook-ledger.trace.db")).doesNotExist();
    }
}

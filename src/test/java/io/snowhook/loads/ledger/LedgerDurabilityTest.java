package io.snowhook.loads.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LedgerDurabilityTest {

    @Test
    void addsWriteDelayZeroToAnH2FileUrlWithoutIt() {
        assertThat(LedgerDurability.durable("jdbc:h2:file:/data/ledger"))
                .isEqualTo("jdbc:h2:file:/data/ledger;WRITE_DELAY=0");
        assertThat(LedgerDurability.durable("jdbc:h2:./data/ledger;AUTO_SERVER=TRUE"))
                .isEqualTo("jdbc:h2:./data/ledger;AUTO_SERVER=TRUE;WRITE_DELAY=0");
    }

    @Test
    void keepsUrlsThatAreDurableAlreadyOrHoldNoFile() {
        for (String url : new String[] {
            "jdbc:h2:file:./data/snowhook-ledger;AUTO_SERVER=FALSE;WRITE_DELAY=0",
            "jdbc:h2:file:/data/ledger;write_delay = 0",
            "jdbc:h2:mem:test;DB_CLOSE_DELAY=-1",
            "jdbc:postgresql://db:5432/snowhook"
        }) {
            assertThat(LedgerDurability.durable(url)).isEqualTo(url);
        }
    }

    @Test
    void refusesAnH2FileUrlAskingForAWriteDelayNamingTheProperty() {
        assertThatThrownBy(() -> LedgerDurability.durable("jdbc:h2:file:/data/ledger;WRITE_DELAY=500"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spring.datasource.url")
                .hasMessageContaining("WRITE_DELAY=500");
    }
}

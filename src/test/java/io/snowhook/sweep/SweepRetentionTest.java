package io.snowhook.sweep;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.loads.ledger.LedgerRetention;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class SweepRetentionTest {

    private static SweepProperties lookback(Duration lookback) {
        return new SweepProperties(
                Duration.ofMinutes(10),
                lookback,
                true,
                1000,
                Duration.ofMinutes(1),
                Duration.ofSeconds(5),
                DataSize.ofKilobytes(16));
    }

    private static SweepService service(Duration retention, Duration lookback) {
        return new SweepService(null, null, null, lookback(lookback), new LedgerRetention(retention), null);
    }

    @Test
    void refusesToStartWhenTheLedgerForgetsLoadsBeforeTheLookbackEnds() {
        assertThatThrownBy(() -> service(Duration.ofDays(7), Duration.ofDays(7)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("snowhook.loads.retention")
                .hasMessageContaining("snowhook.sweep.lookback");
        assertThatThrownBy(() -> service(Duration.ofDays(3), Duration.ofDays(7)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void startsWithARetentionLongerThanTheLookbackOrWithNoPurge() {
        assertThatCode(() -> service(Duration.ofDays(90), Duration.ofDays(7))).doesNotThrowAnyException();
        assertThatCode(() -> service(Duration.ZERO, Duration.ofDays(7))).doesNotThrowAnyException();
    }
}

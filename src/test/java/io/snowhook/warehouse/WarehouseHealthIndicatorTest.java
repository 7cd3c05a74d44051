package io.snowhook.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.system.Outages;
import io.snowhook.system.OutagesProperties;
import java.io.InputStream;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class WarehouseHealthIndicatorTest {

    /** A warehouse that can be switched off: the port's check is all the indicator uses. */
    static final class Switchable implements Warehouse {
        volatile boolean up = true;
        volatile boolean hangs;

        @Override
        public LoadResult load(FileLoad file, @Nullable InputStream content, CommitFence fence) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void check() {
            if (hangs) {
                // a Snowflake login that waits out its network timeouts
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!up) {
                throw new WarehouseUnavailable("connection refused", new java.net.ConnectException("refused"));
            }
        }
    }

    final Switchable warehouse = new Switchable();
    final Outages outages =
            new Outages(new OutagesProperties(3, Duration.ofSeconds(5), Duration.ofSeconds(2)), event -> {}, null);
    final WarehouseHealthIndicator indicator =
            new WarehouseHealthIndicator(warehouse, new WarehouseProperties("snowflake"), outages);

    @Test
    void isUpWithTheWarehouseTypeWhenTheWarehouseAnswers() {
        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("type", "snowflake");
    }

    @Test
    void goesDownWhileTheWarehouseIsUnreachableAndUpWhenItIsBack(CapturedOutput output) {
        warehouse.up = false;
        assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(indicator.health().getDetails().get("error")).asString().contains("connection refused");

        warehouse.up = true;
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

        assertThat(output.getAll().lines().filter(l -> l.contains("is not reachable")))
                .hasSize(1);
        assertThat(output.getAll()).contains("warehouse is reachable again");
    }

    @Test
    void answersWithinItsTimeoutWhenTheWarehouseHangs() {
        warehouse.hangs = true;
        long start = System.nanoTime();

        Health first = indicator.health();
        Health second = indicator.health();

        // 2 s each at most, with a margin for a loaded machine; the hanging check is not started twice
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertThat(first.getStatus()).isEqualTo(Status.DOWN);
        assertThat(first.getDetails().get("error")).asString().contains("did not answer within 2000 ms");
        assertThat(second.getStatus()).isEqualTo(Status.DOWN);
    }

    @Test
    void showsTheWarehouseKnownDownAfterConsecutiveConnectionFailuresUntilItAnswers() {
        warehouse.up = false;
        indicator.health();
        indicator.health();
        assertThat(outages.isDown(Outages.WAREHOUSE)).isFalse();

        Health third = indicator.health();

        assertThat(third.getDetails()).containsEntry("knownDown", true).containsEntry("consecutiveFailures", 3);
        assertThat(outages.isDown(Outages.WAREHOUSE)).isTrue();

        warehouse.up = true;
        assertThat(indicator.health().getDetails()).containsEntry("knownDown", false);
        assertThat(outages.isDown(Outages.WAREHOUSE)).isFalse();
    }
}

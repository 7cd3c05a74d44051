package io.snowhook.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
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

        @Override
        public LoadResult load(FileLoad file, @Nullable InputStream content) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void check() {
            if (!up) {
                throw new WarehouseUnavailable("connection refused", new java.net.ConnectException("refused"));
            }
        }
    }

    final Switchable warehouse = new Switchable();
    final WarehouseHealthIndicator indicator = new WarehouseHealthIndicator(
            warehouse,
            new WarehouseProperties(
                    "snowflake", new WarehouseProperties.DuckDb(Path.of("w.duckdb"), Path.of("stage"), "", null)));

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
        assertThat(output.getAll()).contains("the snowflake warehouse is reachable again");
    }
}

package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.routing.Router;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest(
        properties = {
            "spring.datasource.url=jdbc:h2:mem:smoke;DB_CLOSE_DELAY=-1",
            "snowhook.warehouse.duckdb.path=target/smoke/warehouse.duckdb",
            "snowhook.warehouse.duckdb.stage=target/smoke/stage"
        })
class SnowhookApplicationTests {

    @Autowired
    Router router;

    @Test
    void startsWithTheShippedJavaSipsRoutes() {
        assertThat(router.route("inventory/f1/2026-11-23.csv"))
                .hasValueSatisfying(r -> assertThat(r.table()).isEqualTo("INVENTORY"));
        assertThat(router.route("orders/f1/2026-11-23.csv.gz"))
                .hasValueSatisfying(r -> assertThat(r.table()).isEqualTo("ORDERS"));
        assertThat(router.route("returns/f1.csv")).isEmpty();
    }
}

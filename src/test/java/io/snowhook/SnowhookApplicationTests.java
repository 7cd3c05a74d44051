package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.routing.Router;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The shipped configuration ({@code application.yml}) routes the JavaSips files. Only the router and the shipped
 * configuration are needed; the whole service starts in every {@code @SnowhookTest}.
 */
class SnowhookApplicationTests {

    @Test
    void startsWithTheShippedJavaSipsRoutes() {
        new ApplicationContextRunner()
                .withInitializer(new ConfigDataApplicationContextInitializer())
                .withUserConfiguration(Router.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Router router = context.getBean(Router.class);
                    assertThat(router.route("inventory/f1/2026-11-23.csv"))
                            .hasValueSatisfying(r -> assertThat(r.table()).isEqualTo("INVENTORY"));
                    assertThat(router.route("orders/f1/2026-11-23.csv.gz"))
                            .hasValueSatisfying(r -> assertThat(r.table()).isEqualTo("ORDERS"));
                    assertThat(router.route("returns/f1.csv")).isEmpty();
                });
    }
}

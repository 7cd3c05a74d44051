package io.snowhook.loads.ledger;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.blob.StorageProperties;
import io.snowhook.routing.Route;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.Staging;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedContainerNamesTest {

    static final Route INVENTORY =
            new Route("inventory/", "INVENTORY", FileFormat.CSV, LoadMode.REPLACE, Staging.INTERNAL);
    static final Route ORDERS = new Route("orders/", "ORDERS", FileFormat.CSV, LoadMode.APPEND, Staging.INTERNAL);

    static StorageProperties.Account account(String name, String... containers) {
        return new StorageProperties.Account(name, null, List.of(containers), null, "sv=2024&sig=secret", null);
    }

    @Test
    void aContainerNameTwoAccountsShareStopsStartUpWhenARouteReplaces() {
        StorageProperties storage = new StorageProperties(List.of(
                account("factorywest", "factory-uploads"), account("factoryeast", "returns", "factory-uploads")));

        assertThatThrownBy(() -> SharedContainerNames.check(storage, List.of(ORDERS, INVENTORY)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("snowhook.storage.accounts: container 'factory-uploads' is configured for the"
                        + " accounts [factorywest, factoryeast], and snowhook.routes (prefix 'inventory/' into INVENTORY)"
                        + " replaces a blob's rows")
                .hasMessageNotContaining("secret");
    }

    @Test
    void aContainerNameTwoAccountsShareStopsStartUpWhenARouteStagesExternally() {
        StorageProperties storage = new StorageProperties(
                List.of(account("factorywest", "factory-uploads"), account("factoryeast", "factory-uploads")));
        Route direct = new Route("direct/", "ORDERS", FileFormat.CSV, LoadMode.APPEND, Staging.EXTERNAL);

        assertThatThrownBy(() -> SharedContainerNames.check(storage, List.of(ORDERS, direct)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("(prefix 'direct/' into ORDERS) stages externally, through the stage configured"
                        + " for the container name (snowhook.warehouse.snowflake.external-stages.factory-uploads)");
    }

    @Test
    void appendRoutesOrDistinctContainerNamesAreSafe() {
        StorageProperties shared = new StorageProperties(
                List.of(account("factorywest", "factory-uploads"), account("factoryeast", "factory-uploads")));
        StorageProperties distinct = new StorageProperties(
                List.of(account("factorywest", "west-uploads"), account("factoryeast", "east-uploads")));

        StorageProperties listedTwice =
                new StorageProperties(List.of(account("factorywest", "factory-uploads", "factory-uploads")));

        assertThatCode(() -> SharedContainerNames.check(shared, List.of(ORDERS)))
                .doesNotThrowAnyException();
        assertThatCode(() -> SharedContainerNames.check(listedTwice, List.of(INVENTORY)))
                .doesNotThrowAnyException();
        assertThatCode(() -> SharedContainerNames.check(distinct, List.of(ORDERS, INVENTORY)))
                .doesNotThrowAnyException();
    }
}

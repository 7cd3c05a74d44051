package io.snowhook.loads.ledger;

import io.snowhook.blob.StorageProperties;
import io.snowhook.routing.Route;
import io.snowhook.routing.Router;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.Staging;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Stops start-up when two storage accounts have a container of the same name and a route would mix their blobs up:
 *
 * <ul>
 *   <li>a replace-mode route: a load tags its rows with {@code _source_blob = <container>/<blob name>}, which does not
 *       name the account, and deletes every older row of its {@code _source_blob} — one account's blob would delete
 *       the rows of the other's blob of the same name (a multi-region setup routing both into one table), silently.
 *       Append mode deletes only an earlier run of the same blob version ({@code _source_blob} and {@code _etag}),
 *       which two accounts do not share.
 *   <li>an external-staging route: the warehouse's external stages are configured per container name ({@code
 *       snowhook.warehouse.snowflake.external-stages.<container>}), so one stage would serve both accounts, and the
 *       other account's files would never be found.
 * </ul>
 */
@Component
class SharedContainerNames {

    SharedContainerNames(StorageProperties storage, Router router) {
        check(storage, router.routes());
    }

    static void check(StorageProperties storage, List<Route> routes) {
        Map<String, Set<String>> accountsByContainer = new LinkedHashMap<>();
        for (StorageProperties.Account account : storage.accounts()) {
            for (String container : account.containers()) {
                accountsByContainer
                        .computeIfAbsent(container, c -> new LinkedHashSet<>())
                        .add(account.name());
            }
        }
        Optional<Route> replacing =
                routes.stream().filter(r -> r.mode() == LoadMode.REPLACE).findFirst();
        Optional<Route> external =
                routes.stream().filter(r -> r.staging() == Staging.EXTERNAL).findFirst();
        accountsByContainer.forEach((container, accounts) -> {
            if (accounts.size() < 2) {
                return;
            }
            String shared = "snowhook.storage.accounts: container '" + container + "' is configured for the accounts "
                    + accounts + ", and snowhook.routes (prefix '";
            replacing.ifPresent(route -> {
                throw new IllegalStateException(shared + route.prefix() + "' into " + route.table()
                        + ") replaces a blob's rows by its _source_blob lineage '<container>/<blob name>', which does"
                        + " not name the account: a blob of one account would delete the rows of the other's blob of"
                        + " the same name. Give the accounts' containers distinct names, or load with mode append.");
            });
            external.ifPresent(route -> {
                throw new IllegalStateException(shared + route.prefix() + "' into " + route.table()
                        + ") stages externally, through the stage configured for the container name"
                        + " (snowhook.warehouse.snowflake.external-stages." + container + "), which can read only one"
                        + " of the accounts. Give the accounts' containers distinct names, or stage internally.");
            });
        });
    }
}

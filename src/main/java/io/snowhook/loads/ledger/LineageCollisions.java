package io.snowhook.loads.ledger;

import io.snowhook.blob.StorageProperties;
import io.snowhook.routing.Route;
import io.snowhook.routing.Router;
import io.snowhook.warehouse.LoadMode;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Stops start-up when a replace-mode route could delete one storage account's rows for another's blob: a load tags its
 * rows with {@code _source_blob = <container>/<blob name>}, which does not name the account, and a replace-mode load
 * deletes every older row of its {@code _source_blob}. Two accounts that both have a container of one name would load
 * their blobs of one name over each other's rows (a multi-region setup routing both into one table), silently. Append
 * mode deletes only an earlier run of the same blob version ({@code _source_blob} and {@code _etag}), which two
 * accounts do not share.
 */
@Component
class LineageCollisions {

    LineageCollisions(StorageProperties storage, Router router) {
        check(storage, router.routes());
    }

    static void check(StorageProperties storage, List<Route> routes) {
        List<Route> replacing =
                routes.stream().filter(r -> r.mode() == LoadMode.REPLACE).toList();
        if (replacing.isEmpty()) {
            return;
        }
        Map<String, Set<String>> accountsByContainer = new LinkedHashMap<>();
        for (StorageProperties.Account account : storage.accounts()) {
            for (String container : account.containers()) {
                accountsByContainer
                        .computeIfAbsent(container, c -> new LinkedHashSet<>())
                        .add(account.name());
            }
        }
        accountsByContainer.forEach((container, accounts) -> {
            if (accounts.size() > 1) {
                Route route = replacing.get(0);
                throw new IllegalStateException("snowhook.storage.accounts: container '" + container
                        + "' is configured for the accounts " + accounts + ", and snowhook.routes (prefix '"
                        + route.prefix() + "' into " + route.table()
                        + ") replaces a blob's rows by its _source_blob lineage '<container>/<blob name>', which does"
                        + " not name the account: a blob of one account would delete the rows of the other's blob of"
                        + " the same name. Give the accounts' containers distinct names, or load with mode append.");
            }
        });
    }
}

package io.snowhook.loads.ledger;

import io.snowhook.blob.StorageAccounts;
import io.snowhook.routing.Router;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The ledger and what it needs (routes, the storage allow-list), for slice tests outside its package that
 * record loads through {@link LoadService} as intake does.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import({LoadService.class, LoadStore.class, Router.class, StorageAccounts.class})
public class LedgerSlice {}

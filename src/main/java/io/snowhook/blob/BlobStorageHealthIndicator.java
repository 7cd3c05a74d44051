package io.snowhook.blob;

import io.snowhook.system.DependencyHealth;
import io.snowhook.system.Outages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * Health (details and metrics, not readiness): every configured container of each configured storage
 * account is reachable ({@link BlobSource#check(String)}), each account checked on its own and all within one
 * check timeout. Health name {@code blobStorage}; details per account.
 */
@Component
class BlobStorageHealthIndicator extends DependencyHealth {

    private final BlobSource blobs;
    private final Map<String, List<String>> accounts = new LinkedHashMap<>();

    BlobStorageHealthIndicator(BlobSource blobs, StorageProperties storage, Outages outages) {
        super(outages);
        this.blobs = blobs;
        storage.accounts().forEach(a -> accounts.putIfAbsent(a.name(), a.containers()));
    }

    @Override
    public Health health() {
        long deadline = System.nanoTime() + outages().checkTimeoutNanos();
        Map<String, CompletableFuture<Void>> running = new LinkedHashMap<>();
        accounts.keySet()
                .forEach(account ->
                        running.put(account, outages().start(Outages.storage(account), () -> blobs.check(account))));
        Map<String, Object> details = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, CompletableFuture<Void>> check : running.entrySet()) {
            String account = check.getKey();
            String dependency = Outages.storage(account);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("containers", accounts.get(account));
            boolean reachable;
            String error = "";
            try {
                outages().await(dependency, check.getValue(), deadline);
                reachable = true;
            } catch (RuntimeException e) {
                reachable = false;
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
                detail.put("error", error);
            }
            noteReachable(dependency, reachable, error);
            detail.put("status", reachable ? "UP" : "DOWN");
            detail.putAll(outages().details(dependency));
            details.put(account, detail);
            up &= reachable;
        }
        return (up ? Health.up() : Health.down())
                .withDetail("accounts", details)
                .build();
    }
}

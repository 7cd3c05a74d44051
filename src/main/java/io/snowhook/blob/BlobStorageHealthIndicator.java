package io.snowhook.blob;

import io.snowhook.system.ReadinessCheck;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Readiness: every configured container of every configured storage account is reachable
 * ({@link BlobSource#check()}). Health name {@code blobStorage}.
 */
@Component
class BlobStorageHealthIndicator extends ReadinessCheck {

    private final BlobSource blobs;
    private final Map<String, Object> accounts;

    BlobStorageHealthIndicator(BlobSource blobs, StorageProperties storage) {
        super("blob storage");
        this.blobs = blobs;
        this.accounts = Map.copyOf(storage.accounts().stream()
                .collect(java.util.stream.Collectors.toMap(
                        StorageProperties.Account::name, StorageProperties.Account::containers, (a, b) -> a)));
    }

    @Override
    protected Map<String, Object> check() {
        blobs.check();
        return Map.of("accounts", accounts);
    }
}

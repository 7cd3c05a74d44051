package io.snowhook.blob;

import com.azure.storage.blob.BlobServiceClientBuilder;
import java.net.URI;
import java.util.List;

/** The real {@link AzureBlobSource} for tests outside this package. */
public final class TestBlobSources {

    private TestBlobSources() {}

    /** A blob source for one account and container, authenticated by a connection string. */
    public static BlobSource azure(String account, String container, String connectionString) {
        StorageProperties properties = new StorageProperties(List.of(new StorageProperties.Account(
                account,
                URI.create(new BlobServiceClientBuilder()
                        .connectionString(connectionString)
                        .buildClient()
                        .getAccountUrl()),
                List.of(container),
                connectionString,
                null,
                null)));
        return new AzureBlobSource(properties, new StorageAccounts(properties));
    }
}

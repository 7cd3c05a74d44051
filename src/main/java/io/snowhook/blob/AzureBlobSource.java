package io.snowhook.blob;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.HttpClientOptions;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobBeginCopySourceRequestConditions;
import com.azure.storage.blob.models.BlobCopyInfo;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.CopyStatusType;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobBeginCopyOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.specialized.BlobInputStream;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * {@link BlobSource} on the Azure SDK: one client per configured account, built from that account's
 * configured endpoint and credential — never from anything an event says.
 */
@Component
class AzureBlobSource implements BlobSource, BlobListing {

    /**
     * One try per SDK call: the SDK's own retries would hide transient failures inside one attempt and
     * multiply with the load's retry policy (Spring Retry, in {@code loads}), which is the one policy an
     * operator configures and sees counted in a load's {@code attempts}.
     */
    private static final int SDK_TRIES = 1;

    private final StorageAccounts accounts;
    private final Map<String, BlobServiceClient> clients;
    private final Map<String, String> sasTokens;
    /** Container clients by lower-case account and container, as first used (see {@link #containerOf}). */
    private final Map<String, BlobContainerClient> containers = new ConcurrentHashMap<>();

    private final Duration copyTimeout;
    private final Duration readTimeout;
    private final int readBlockSize;
    private final int readParallelism;

    AzureBlobSource(StorageProperties properties, StorageAccounts accounts) {
        this.accounts = accounts;
        this.clients = properties.accounts().stream()
                .collect(Collectors.toUnmodifiableMap(
                        a -> a.name().toLowerCase(Locale.ROOT), a -> client(a, properties)));
        this.sasTokens = properties.accounts().stream()
                .filter(a -> hasText(a.sasToken()))
                .collect(Collectors.toUnmodifiableMap(
                        a -> a.name().toLowerCase(Locale.ROOT),
                        a -> a.sasToken().replaceFirst("^\\?", "")));
        this.copyTimeout = properties.readTimeout().multipliedBy(2);
        this.readTimeout = properties.readTimeout().multipliedBy(2);
        this.readBlockSize = Math.toIntExact(properties.readBlockSize().toBytes());
        this.readParallelism = properties.readParallelism();
    }

    @Override
    public void pin(BlobId id, String expectedEtag, String pinnedName) {
        BlobContainerClient container = containerOf(id.account(), id.container());
        BlobClient source = container.getBlobClient(id.name());
        BlobClient pinned = container.getBlobClient(pinnedName);
        // Copy Blob within one account: the destination's credential (shared key or Entra ID) authorises the
        // source; an account configured with a SAS names the source with it. The service copies the bytes.
        // https://learn.microsoft.com/rest/api/storageservices/copy-blob ("Authorization", x-ms-source-if-match)
        String sas = sasTokens.get(id.account().toLowerCase(Locale.ROOT));
        String url = source.getBlobUrl() + (sas == null ? "" : "?" + sas);
        try {
            SyncPoller<BlobCopyInfo, Void> poller = pinned.beginCopy(new BlobBeginCopyOptions(url)
                    .setSourceRequestConditions(
                            new BlobBeginCopySourceRequestConditions().setIfMatch(ETag.quoted(expectedEtag)))
                    .setPollInterval(Duration.ofMillis(200)));
            // within one account the copy is usually complete on the first answer
            PollResponse<BlobCopyInfo> done = poller.waitForCompletion(copyTimeout);
            if (done.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED
                    || done.getValue().getCopyStatus() != CopyStatusType.SUCCESS) {
                delete(new BlobId(id.account(), id.container(), pinnedName));
                throw new BlobUnavailable("copy of " + id + " to " + pinnedName + " did not complete: "
                        + done.getStatus() + " " + done.getValue().getCopyStatus());
            }
        } catch (BlobUnavailable e) {
            throw e;
        } catch (RuntimeException e) {
            RuntimeException failure = translate(e, id);
            if (failure instanceof BlobChanged && !exists(source, id)) {
                // If-Match on a blob that no longer exists may answer 412 rather than 404
                throw new BlobNotFound("blob not found: " + id, e);
            }
            throw failure;
        }
    }

    @Override
    public void delete(BlobId id) {
        try {
            containerOf(id.account(), id.container())
                    .getBlobClient(id.name())
                    .deleteIfExistsWithResponse(DeleteSnapshotsOptionType.INCLUDE, null, null, null);
        } catch (RuntimeException e) {
            throw translate(e, id);
        }
    }

    @Override
    public int deleteOlderThan(String account, String container, String prefix, Instant cutoff) {
        BlobContainerClient client = containerOf(account, container);
        int deleted = 0;
        try {
            for (BlobItem item : client.listBlobs(new ListBlobsOptions().setPrefix(prefix), null)) {
                if (item.getProperties().getLastModified().toInstant().isBefore(cutoff)) {
                    delete(new BlobId(account, container, item.getName()));
                    deleted++;
                }
            }
        } catch (RuntimeException e) {
            throw translate(e, new BlobId(account, container, prefix));
        }
        return deleted;
    }

    @Override
    public BlobContent open(BlobId id, @Nullable String expectedEtag) {
        BlobClient blob = containerOf(id.account(), id.container()).getBlobClient(id.name());
        BlobInputStreamOptions options = new BlobInputStreamOptions().setBlockSize(readBlockSize);
        if (expectedEtag != null) {
            options.setRequestConditions(new BlobRequestConditions().setIfMatch(ETag.quoted(expectedEtag)));
        }
        BlobInputStream stream;
        try {
            // Downloads the first chunk now, so a missing or changed blob is reported here; later chunks are
            // read on demand with If-Match on the eTag read first, so the bytes are all of one version.
            stream = blob.openInputStream(options);
        } catch (RuntimeException e) {
            RuntimeException failure = translate(e, id);
            if (failure instanceof BlobChanged && !exists(blob, id)) {
                // If-Match on a blob that no longer exists may answer 412 rather than 404
                throw new BlobNotFound("blob not found: " + id, e);
            }
            throw failure;
        }
        String etag = ETag.unquoted(stream.getProperties().getETag());
        long size = stream.getProperties().getBlobSize();
        InputStream bytes = stream;
        if (size > readBlockSize && readParallelism > 1) {
            bytes = parallelRest(blob, stream, size, etag, id);
        }
        return new BlobContent(new TranslatingStream(bytes, id), size, etag);
    }

    /**
     * A blob of more than one chunk: the first chunk, which the SDK's stream holds already, then the rest with
     * several range requests in flight, each conditional on the eTag the first chunk came from.
     */
    private InputStream parallelRest(BlobClient blob, BlobInputStream stream, long size, String etag, BlobId id) {
        try (stream) {
            // served from the buffer of the first response: no further request
            byte[] first = stream.readNBytes(readBlockSize);
            if (first.length != readBlockSize) {
                throw new BlobUnavailable("storage sent " + first.length + " bytes of the first chunk of " + id);
            }
            return new ParallelRangeStream(blob, first, size, ETag.quoted(etag), readParallelism, readTimeout);
        } catch (IOException | RuntimeException e) {
            throw translate(e, id);
        }
    }

    /** Azure's flat List Blobs: one request per page, resumed from the opaque marker it returned. */
    @Override
    public BlobPage list(String account, String container, String prefix, @Nullable String continuation, int pageSize) {
        BlobId where = new BlobId(account, container, prefix);
        ListBlobsOptions options = new ListBlobsOptions().setPrefix(prefix).setMaxResultsPerPage(pageSize);
        try {
            Iterator<PagedResponse<BlobItem>> pages = containerOf(account, container)
                    .listBlobs(options, continuation, null)
                    .iterableByPage(pageSize)
                    .iterator();
            if (!pages.hasNext()) {
                return new BlobPage(List.of(), null);
            }
            try (PagedResponse<BlobItem> page = pages.next()) {
                List<ListedBlob> blobs = new ArrayList<>(page.getValue().size());
                for (BlobItem item : page.getValue()) {
                    BlobItemProperties p = item.getProperties();
                    if (p == null || p.getETag() == null || p.getLastModified() == null) {
                        continue;
                    }
                    blobs.add(new ListedBlob(
                            item.getName(),
                            ETag.unquoted(p.getETag()),
                            p.getContentLength() == null ? 0 : p.getContentLength(),
                            p.getLastModified().toInstant(),
                            p.getContentType()));
                }
                String next = page.getContinuationToken();
                return new BlobPage(blobs, next == null || next.isBlank() ? null : next);
            }
        } catch (IOException | RuntimeException e) {
            throw translate(e, where);
        }
    }

    private static boolean exists(BlobClient blob, BlobId id) {
        try {
            return blob.exists();
        } catch (RuntimeException e) {
            throw translate(e, id);
        }
    }

    @Override
    public void check() {
        clients.keySet().forEach(this::check);
    }

    @Override
    public void check(String account) {
        accounts.account(account)
                .orElseThrow(() -> new BlobAccessDenied(
                        "storage account " + account + " is not configured in snowhook.storage.accounts"))
                .containers()
                .forEach(container -> {
                    BlobId where = new BlobId(account, container, "");
                    boolean exists;
                    try {
                        exists = containerOf(account, container).exists();
                    } catch (RuntimeException e) {
                        throw translate(e, where);
                    }
                    if (!exists) {
                        throw new BlobNotFound(
                                "container " + container + " of storage account " + account + " does not exist");
                    }
                });
    }

    private BlobContainerClient containerOf(String account, String container) {
        BlobServiceClient client = clients.get(account.toLowerCase(Locale.ROOT));
        if (client == null || !accounts.allows(account, container)) {
            // The allow-list is checked at intake; this guards against a configuration changed since then.
            throw new BlobAccessDenied("container " + container + " of storage account " + account
                    + " is not configured in snowhook.storage.accounts");
        }
        // built once per container: each one builds its own REST client (AzureBlobStorageImplBuilder.buildClient),
        // which showed on every load's path in profiles; only allowed containers get here, so the map is bounded
        return containers.computeIfAbsent(
                account.toLowerCase(Locale.ROOT) + "/" + container, key -> client.getBlobContainerClient(container));
    }

    private static BlobServiceClient client(StorageProperties.Account account, StorageProperties properties) {
        String endpoint = account.endpointOrDefault().toString();
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .clientOptions(new HttpClientOptions()
                        .setConnectTimeout(properties.connectTimeout())
                        .setReadTimeout(properties.readTimeout())
                        .setResponseTimeout(properties.readTimeout())
                        .setWriteTimeout(properties.readTimeout()))
                .retryOptions(new RequestRetryOptions(
                        RetryPolicyType.EXPONENTIAL,
                        SDK_TRIES,
                        // per-try timeout; one try reads at most one chunk (snowhook.storage.read-block-size) of a blob
                        (int) Math.max(1, properties.readTimeout().toSeconds() * 2),
                        null,
                        null,
                        null));
        if (hasText(account.connectionString())) {
            // The connection string brings the key; the configured endpoint (set after it) wins over its endpoint.
            builder.connectionString(account.connectionString()).endpoint(endpoint);
        } else if (hasText(account.sasToken())) {
            builder.endpoint(endpoint).sasToken(account.sasToken());
        } else {
            // Validated to be "default": workload identity in production. Never configured in tests, as it
            // probes the cloud's instance metadata endpoint.
            builder.endpoint(endpoint).credential(new DefaultAzureCredentialBuilder().build());
        }
        return builder.buildClient();
    }

    /** Maps an SDK failure to the fact the worker acts on. */
    static RuntimeException translate(Throwable failure, BlobId id) {
        BlobStorageException storage = find(failure, BlobStorageException.class);
        if (storage != null) {
            int status = storage.getStatusCode();
            String what = "storage answered HTTP " + status
                    + (storage.getErrorCode() != null ? " " + storage.getErrorCode() : "") + " for " + id;
            return switch (status) {
                case 404 -> new BlobNotFound("blob not found: " + id, storage);
                case 412 -> new BlobChanged("blob changed since the event: " + id, storage);
                case 401, 403 -> new BlobAccessDenied(what, storage);
                case 408, 429 -> new BlobUnavailable(what, storage);
                default -> status >= 500 ? new BlobUnavailable(what, storage) : new BlobRefused(what, storage);
            };
        }
        if (find(failure, ClientAuthenticationException.class) != null) {
            return new BlobAccessDenied("storage authentication failed for " + id, failure);
        }
        if (failure instanceof BlobNotFound
                || failure instanceof BlobChanged
                || failure instanceof BlobAccessDenied
                || failure instanceof BlobUnavailable
                || failure instanceof BlobRefused) {
            return (RuntimeException) failure;
        }
        if (find(failure, IOException.class) != null || find(failure, TimeoutException.class) != null) {
            return new BlobUnavailable(
                    "storage unreachable reading " + id + ": "
                            + failure.getClass().getSimpleName(),
                    failure);
        }
        // Anything else from the SDK is unexpected; retrying a few times costs little, whereas failing a
        // transient fault for good leaves a file unloaded until an operator re-ingests it.
        return new BlobUnavailable(
                "storage failed reading " + id + ": " + failure.getClass().getSimpleName(), failure);
    }

    private static <T extends Throwable> @Nullable T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static boolean hasText(@Nullable String value) {
        return value != null && !value.isBlank();
    }

    /**
     * Reports read failures as the same facts {@link #open} does (unchecked), so a blob overwritten while
     * it is read is {@link BlobChanged}, and a dropped connection {@link BlobUnavailable}.
     */
    private static final class TranslatingStream extends FilterInputStream {

        private final BlobId id;

        TranslatingStream(InputStream in, BlobId id) {
            super(in);
            this.id = id;
        }

        @Override
        public int read() {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw translate(e, id);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw translate(e, id);
            }
        }

        @Override
        public long skip(long n) {
            try {
                return super.skip(n);
            } catch (IOException | RuntimeException e) {
                throw translate(e, id);
            }
        }
    }
}

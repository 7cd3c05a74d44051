package io.snowhook.loads;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * The one entry point to the load ledger for intake and the web API: records incoming blobs (dedupe,
 * supersede, skip, route), answers status queries and queues re-ingestions.
 */
@Service
public class LoadService {

    /**
     * Validates every blob against the storage allow-list first (nothing is recorded when one fails),
     * then records each — before the caller acknowledges — and returns one load per blob, in order.
     * A duplicate delivery returns the existing load.
     *
     * @throws io.snowhook.system.Problem 422 {@code unknown-storage-account} for a blob outside the
     *     allow-list; 422 {@code untrusted-blob-url} for a {@code data.url} host the account cannot have
     */
    public List<Load> submit(List<IncomingBlob> blobs) {
        throw new UnsupportedOperationException("the ledger is being built");
    }

    /** @throws io.snowhook.system.Problem 404 {@code load-not-found} */
    public Load get(UUID id) {
        throw new UnsupportedOperationException("the ledger is being built");
    }

    /** Queues a new load of the same blob version as {@code id}, referencing it. */
    public Load reingest(UUID id) {
        throw new UnsupportedOperationException("the ledger is being built");
    }

    /** Queues a load of the blob at {@code url} (the allow-list applies) at its current version. */
    public Load ingest(URI url) {
        throw new UnsupportedOperationException("the ledger is being built");
    }
}

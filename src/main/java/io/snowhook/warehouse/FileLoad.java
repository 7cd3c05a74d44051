package io.snowhook.warehouse;

import java.util.UUID;

/**
 * One blob version to load into one table.
 *
 * @param loadId the ledger's load id (lineage column {@code _load_id})
 * @param account storage account
 * @param container container
 * @param blobName blob name; lineage column {@code _source_blob} holds {@code <container>/<blobName>}
 * @param etag the normalised (unquoted) eTag of the version to load (lineage column {@code _etag})
 * @param size blob size in bytes, as the event reported it
 * @param table target table (already validated as a plain identifier)
 * @param format file format; gzip compression is detected from a {@code .gz} name suffix
 * @param mode append or replace
 * @param staging internal or external
 * @param attempt the ledger's number of this try of the load (1, 2, …): unique per load even across a takeover by
 *     another worker, so a try's staged files are its own
 */
public record FileLoad(
        UUID loadId,
        String account,
        String container,
        String blobName,
        String etag,
        long size,
        String table,
        FileFormat format,
        LoadMode mode,
        Staging staging,
        int attempt) {

    /** The first try of a load. */
    public FileLoad(
            UUID loadId,
            String account,
            String container,
            String blobName,
            String etag,
            long size,
            String table,
            FileFormat format,
            LoadMode mode,
            Staging staging) {
        this(loadId, account, container, blobName, etag, size, table, format, mode, staging, 1);
    }

    /** The file's table, format, mode and staging. */
    public LoadTarget target() {
        return new LoadTarget(table, format, mode, staging);
    }

    public String sourceBlob() {
        return container + "/" + blobName;
    }

    public boolean gzipped() {
        return blobName.endsWith(".gz");
    }
}

package io.snowhook.loads.ledger;

/** Which version of a blob a re-ingestion loads. */
public enum ReingestVersion {
    /**
     * The version the earlier load had (its eTag): after the table or the warehouse was fixed. Ends
     * {@code SUPERSEDED} when the blob has changed since.
     */
    SAME,
    /** The blob as it is now, whatever its eTag: after the file was fixed and uploaded again. */
    CURRENT
}

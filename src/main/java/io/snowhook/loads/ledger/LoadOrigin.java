package io.snowhook.loads.ledger;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** What put a load in the ledger. */
public enum LoadOrigin {
    /** A storage event posted to {@code POST /events}. */
    EVENT,
    /** {@code POST /loads/{id}/reingest}. */
    REINGEST,
    /** {@code POST /ingestions}. */
    INGESTION,
    /** A sweep found the blob version without a load. */
    SWEEP;

    /**
     * The origin of a row written before loads recorded theirs: an event when it carries an event id, a
     * re-ingestion when it repeats a load, an ingestion otherwise.
     */
    static LoadOrigin derive(@Nullable String eventId, @Nullable UUID reingestOf) {
        if (eventId != null) {
            return EVENT;
        }
        return reingestOf != null ? REINGEST : INGESTION;
    }
}

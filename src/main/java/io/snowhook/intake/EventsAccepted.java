package io.snowhook.intake;

import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadStatus;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The {@code 202} answer to {@code POST /events}: one entry per storage event, in request order. */
record EventsAccepted(List<LoadRef> loads) {

    /**
     * @param blob the blob name
     * @param reason why the load was skipped or superseded
     */
    record LoadRef(
            UUID id,
            LoadStatus status,
            String blob,
            @Nullable String reason) {}

    static EventsAccepted of(List<Load> loads) {
        return new EventsAccepted(loads.stream()
                .map(l -> new LoadRef(l.id(), l.status(), l.blob(), l.reason()))
                .toList());
    }
}

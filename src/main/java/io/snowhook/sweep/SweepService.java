package io.snowhook.sweep;

import io.snowhook.blob.StorageAccounts;
import io.snowhook.blob.StorageProperties;
import io.snowhook.loads.ledger.LedgerRetention;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/** Creates sweeps (on request and on schedule) and answers what they did; {@link Sweeper} runs them. */
@Service
@EnableConfigurationProperties(SweepProperties.class)
class SweepService {

    private static final Logger log = LoggerFactory.getLogger(SweepService.class);

    private final SweepStore store;
    private final StorageAccounts accounts;
    private final StorageProperties storage;
    private final SweepProperties properties;
    private final ApplicationEventPublisher events;

    SweepService(
            SweepStore store,
            StorageAccounts accounts,
            StorageProperties storage,
            SweepProperties properties,
            LedgerRetention retention,
            ApplicationEventPublisher events) {
        if (!retention.outlasts(properties.lookback())) {
            // A sweep compares listed versions with the ledger: one whose load was purged would be queued again.
            throw new IllegalStateException("snowhook.loads.retention (" + retention.retention()
                    + ") must be longer than snowhook.sweep.lookback (" + properties.lookback()
                    + "): a sweep would load again a blob version whose load the ledger already purged");
        }
        this.store = store;
        this.accounts = accounts;
        this.storage = storage;
        this.properties = properties;
        this.events = events;
    }

    /**
     * What an operator asks for; every field is optional.
     *
     * @param account defaults to the only configured account
     * @param container defaults to the account's only configured container
     * @param prefix one prefix to list instead of every routed one
     * @param modifiedSince queue blobs modified since then, further back than the lookback if need be (a
     *     backfill); defaults to now minus {@code snowhook.sweep.lookback}
     */
    record Request(
            @Nullable String account,
            @Nullable String container,
            @Nullable String prefix,
            @Nullable Instant modifiedSince) {}

    /**
     * Creates a sweep an operator asked for; a replica's sweeper runs it.
     *
     * @throws io.snowhook.system.Problem 400 {@code invalid-request} when the account or container is left
     *     out but several are configured; 422 {@code unknown-storage-account}; 409 {@code sweep-running} while
     *     a sweep of the container runs
     */
    Sweep request(Request request) {
        String account = request.account() != null ? request.account() : onlyAccount();
        StorageProperties.Account configured = accounts.account(account)
                .orElseThrow(
                        () -> new UnknownContainer(account, request.container() == null ? "" : request.container()));
        String container = request.container() != null ? request.container() : onlyContainer(configured);
        if (!accounts.allows(account, container)) {
            throw new UnknownContainer(account, container);
        }
        Instant now = SweepStore.now();
        Instant since = request.modifiedSince() != null ? request.modifiedSince() : now.minus(properties.lookback());
        Sweep sweep = newSweep(configured.name(), container, request.prefix(), since, Sweep.OPERATOR, null, now);
        try {
            store.insert(sweep);
        } catch (DuplicateKeyException running) {
            throw store.running(configured.name(), container)
                    .map(SweepRunning::new)
                    .orElseThrow(() -> running);
        }
        log.info(
                "sweep {} requested for {}/{} prefix {} modified since {}",
                sweep.id(),
                sweep.account(),
                sweep.container(),
                sweep.prefix() == null ? "(every routed prefix)" : sweep.prefix(),
                since);
        events.publishEvent(new SweepRequested());
        return get(sweep.id());
    }

    /**
     * Creates the scheduled sweep of every configured container for the interval starting at {@code slot},
     * unless a replica did already or a sweep of the container still runs.
     *
     * @return how many sweeps this call created
     */
    int schedule(Instant slot) {
        Instant now = SweepStore.now();
        Instant since = now.minus(properties.lookback());
        if (properties.fromFirstStart()) {
            Instant firstStart = store.firstStart();
            since = firstStart.isAfter(since) ? firstStart : since;
        }
        int created = 0;
        for (StorageProperties.Account account : storage.accounts()) {
            for (String container : account.containers()) {
                Sweep sweep = newSweep(account.name(), container, null, since, Sweep.SCHEDULE, slot, now);
                try {
                    store.insert(sweep);
                    created++;
                    log.info(
                            "sweep {} scheduled for {}/{} (interval from {}), modified since {}",
                            sweep.id(),
                            sweep.account(),
                            container,
                            slot,
                            since);
                } catch (DuplicateKeyException taken) {
                    // another replica scheduled it, or the previous sweep of the container still runs
                    log.debug(
                            "no scheduled sweep of {}/{} for {}: {}",
                            account.name(),
                            container,
                            slot,
                            taken.toString());
                }
            }
        }
        return created;
    }

    /** @throws io.snowhook.system.Problem 404 {@code sweep-not-found} */
    Sweep get(UUID id) {
        return store.find(id).orElseThrow(() -> new SweepNotFound(id));
    }

    Optional<Sweep> find(UUID id) {
        return store.find(id);
    }

    /** Newest first. */
    List<Sweep> page(int page, int size) {
        return store.page(page, size);
    }

    long count() {
        return store.count();
    }

    private static Sweep newSweep(
            String account,
            String container,
            @Nullable String prefix,
            @Nullable Instant since,
            String requestedBy,
            @Nullable Instant slot,
            Instant now) {
        return new Sweep(
                UUID.randomUUID(),
                account.toLowerCase(Locale.ROOT),
                container,
                prefix,
                since,
                requestedBy,
                slot,
                SweepStatus.RUNNING,
                0,
                0,
                null,
                0,
                null,
                null,
                now,
                null,
                null);
    }

    private String onlyAccount() {
        if (storage.accounts().size() != 1) {
            throw new InvalidSweepRequest(
                    "account", "is required: " + storage.accounts().size() + " storage accounts are configured");
        }
        return storage.accounts().get(0).name();
    }

    private static String onlyContainer(StorageProperties.Account account) {
        if (account.containers().size() != 1) {
            throw new InvalidSweepRequest(
                    "container",
                    "is required: storage account '" + account.name() + "' has "
                            + account.containers().size() + " containers configured");
        }
        return account.containers().get(0);
    }
}

-- The load ledger: one row per blob version (or skipped event, or re-ingestion). It is also the work
-- queue: workers claim QUEUED rows and hold LOADING rows under a lease.
CREATE TABLE loads (
    id              UUID            NOT NULL PRIMARY KEY,
    event_id        VARCHAR(200),
    -- SHA-256 (hex) of account/container/blob/eTag for event-driven loads of a routed blob version; NULL for
    -- skipped events, re-ingestions and events without an eTag. Unique, so a redelivered blob version maps
    -- to the existing load even under a new event id. A hash, because a blob name of 1024 characters can
    -- exceed PostgreSQL's limit for a b-tree index entry.
    version_key     VARCHAR(64),
    status          VARCHAR(16)     NOT NULL,
    -- NULL for operator loads (re-ingest, POST /ingestions).
    event_type      VARCHAR(200),
    api             VARCHAR(64),
    account         VARCHAR(64)     NOT NULL,
    container       VARCHAR(64)     NOT NULL,
    blob_name       VARCHAR(1024)   NOT NULL,
    etag            VARCHAR(128),
    sequencer       VARCHAR(64),
    size_bytes      BIGINT,
    content_type    VARCHAR(200),
    route_prefix    VARCHAR(1024),
    table_name      VARCHAR(255),
    file_format     VARCHAR(16),
    load_mode       VARCHAR(16),
    staging         VARCHAR(16),
    attempts        INTEGER         DEFAULT 0 NOT NULL,
    rows_parsed     BIGINT,
    rows_loaded     BIGINT,
    bytes_loaded    BIGINT,
    reason          VARCHAR(2000),
    error           VARCHAR(4000),
    error_line      BIGINT,
    error_column    VARCHAR(255),
    reingest_of     UUID,
    event_time      TIMESTAMP WITH TIME ZONE,
    received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE,
    finished_at     TIMESTAMP WITH TIME ZONE,
    claimed_by      VARCHAR(200),
    lease_until     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT loads_event_id_uk UNIQUE (event_id),
    CONSTRAINT loads_version_key_uk UNIQUE (version_key),
    CONSTRAINT loads_reingest_of_fk FOREIGN KEY (reingest_of) REFERENCES loads (id)
);

CREATE INDEX loads_status_received_idx ON loads (status, received_at);
CREATE INDEX loads_blob_idx ON loads (account, container, blob_name);
CREATE INDEX loads_table_idx ON loads (table_name, status);
CREATE INDEX loads_received_idx ON loads (received_at);

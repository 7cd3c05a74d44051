-- Reconciliation. Additive only: a service of the previous version keeps running beside this one.

-- Where a load came from: EVENT, REINGEST, INGESTION or SWEEP. NULL on rows written before this version
-- (or by a replica of the previous version): those read as EVENT when they carry an event type, else
-- REINGEST / INGESTION (see LoadStore). No backfilling UPDATE, so a large ledger migrates at once.
ALTER TABLE loads ADD COLUMN origin VARCHAR(16);
-- The sweep that queued the load (origin SWEEP).
ALTER TABLE loads ADD COLUMN sweep_id UUID;
CREATE INDEX loads_sweep_idx ON loads (sweep_id);

-- One listing of a container (under its routed prefixes, or one prefix) compared with the ledger. A
-- replica runs it under a lease, saving its place after each page, so a sweep whose replica died is
-- resumed by another once the lease runs out.
CREATE TABLE sweeps (
    id              UUID            NOT NULL PRIMARY KEY,
    account         VARCHAR(64)     NOT NULL,
    container       VARCHAR(64)     NOT NULL,
    -- NULL: every routed prefix
    prefix          VARCHAR(1024),
    -- blobs last modified before this are not queued; NULL: no bound
    modified_since  TIMESTAMP WITH TIME ZONE,
    -- SCHEDULE or OPERATOR
    requested_by    VARCHAR(16)     NOT NULL,
    -- the start of the schedule's interval this sweep is for; unique, so replicas create it once
    scheduled_for   TIMESTAMP WITH TIME ZONE,
    status          VARCHAR(16)     NOT NULL,
    -- account/container while RUNNING, NULL after: at most one running sweep per container
    running_key     VARCHAR(200),
    listed          BIGINT          DEFAULT 0 NOT NULL,
    -- where the listing resumes: the index of the prefix being listed and the continuation token after the
    -- last page fully compared
    prefix_index    INTEGER         DEFAULT 0 NOT NULL,
    continuation    VARCHAR(4000),
    -- how many times a replica took the sweep (more than 1: resumed after its sweeper died or stopped)
    attempts        INTEGER         DEFAULT 0 NOT NULL,
    claimed_by      VARCHAR(200),
    lease_until     TIMESTAMP WITH TIME ZONE,
    error           VARCHAR(2000),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE,
    finished_at     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT sweeps_running_uk UNIQUE (running_key),
    CONSTRAINT sweeps_schedule_uk UNIQUE (account, container, scheduled_for)
);

CREATE INDEX sweeps_created_idx ON sweeps (created_at);

-- When the service first started against this ledger (for a ledger older than this version: its first
-- load). Scheduled sweeps queue nothing modified before it, so turning sweeps on never backfills by surprise.
CREATE TABLE sweep_epoch (
    id                  INTEGER         NOT NULL PRIMARY KEY,
    first_started_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

INSERT INTO sweep_epoch (id, first_started_at)
    SELECT 1, COALESCE(MIN(received_at), CURRENT_TIMESTAMP) FROM loads;

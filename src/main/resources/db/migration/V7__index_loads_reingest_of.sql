-- Purging a load checks that no re-ingestion still references it (and the foreign key checks the same on
-- every delete): an index, so neither scans the ledger.
CREATE INDEX loads_reingest_of_idx ON loads (reingest_of);

-- Batches: the claim that took a load together with others of its target and container, so the files one
-- warehouse statement loaded can be told (GET /loads?batchId=…). Additive only: a replica of the previous
-- version keeps claiming loads one at a time beside this one and leaves the column NULL.
ALTER TABLE loads ADD COLUMN batch_id UUID;
CREATE INDEX loads_batch_idx ON loads (batch_id);

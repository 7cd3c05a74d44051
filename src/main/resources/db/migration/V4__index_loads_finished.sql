-- The console's last-hour statistics read loads by status and finish time (GET /loads/stats).
CREATE INDEX loads_status_finished_idx ON loads (status, finished_at);

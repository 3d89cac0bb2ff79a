-- Security review (issue 11). See worker/docs/storage-schema.md. Append-only: change the schema
-- with a new file.

-- request_id is the gateway's own id (a UUID it generates), never the client's X-Request-Id: a
-- reused client id can no longer collide with another request's row, so every event is inserted
-- and counted by the rollup trigger. The client's id is kept as a label to search by.
ALTER TABLE usage_events ADD COLUMN client_request_id TEXT;
CREATE INDEX IF NOT EXISTS usage_events_client_request_id ON usage_events (project, client_request_id) WHERE client_request_id IS NOT NULL;

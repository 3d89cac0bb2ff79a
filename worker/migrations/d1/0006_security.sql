-- Security review (issue 11). See worker/docs/storage-schema.md. Append-only: change the schema
-- with a new file.

-- request_id is the gateway's own id (a UUID it generates), never the client's X-Request-Id: a
-- reused client id can no longer collide with another request's row, so every event is inserted
-- and counted by the rollup trigger. The client's id is kept as a label to search by.
ALTER TABLE usage_events ADD COLUMN client_request_id TEXT;
CREATE INDEX IF NOT EXISTS usage_events_client_request_id ON usage_events (project, client_request_id) WHERE client_request_id IS NOT NULL;

-- The admin audit (admin_audit) now holds authenticated calls only. Refused calls are counted here
-- in aggregate, per hour, door and status: each isolate adds its counts at most once a minute, so
-- anonymous traffic cannot turn into one D1 write per request.
CREATE TABLE IF NOT EXISTS admin_refusals (
  hour   INTEGER NOT NULL,                  -- ms since epoch, floored to the hour
  door   TEXT NOT NULL,                     -- token (public /admin/api) | admin-site (service binding)
  status INTEGER NOT NULL,                  -- the HTTP status of the refusal (401, 404, 405…)
  count  INTEGER NOT NULL,
  PRIMARY KEY (hour, door, status)
) WITHOUT ROWID;

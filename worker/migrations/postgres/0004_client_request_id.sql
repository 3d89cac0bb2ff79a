-- Security review (issue 11), as D1 migration 0006: request_id is the gateway's own id; the client's
-- X-Request-Id is kept beside it as a label, never the key.
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS client_request_id text;
CREATE INDEX IF NOT EXISTS usage_events_client_request_id ON watchllm.usage_events (project, client_request_id) WHERE client_request_id IS NOT NULL;

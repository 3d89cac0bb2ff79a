-- Semantic cache: one row per cached (context, question). The durable store behind both vector
-- indexes: the D1 index scans `sketch` (through a per-isolate mirror), Vectorize keeps its own copy
-- of `vector`; either way the answer is read from here. See worker/docs/storage-schema.md.
-- Written only by the semantic-cache stage, after a complete 2xx answer. Append-only schema.

CREATE TABLE IF NOT EXISTS semantic_entries (
  -- Monotonic (AUTOINCREMENT never reuses a value): mirrors sync with `seq > last seen`.
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT NOT NULL UNIQUE,          -- sha256(context \0 question): a re-asked question replaces its row
  context    TEXT NOT NULL,                 -- sha256 of project, namespace, route, embedder, params, earlier turns
  embedder   TEXT NOT NULL,                 -- e.g. workers-ai/@cf/baai/bge-base-en-v1.5 (also inside `context`)
  vector     BLOB NOT NULL,                 -- float32 little-endian, unit length: exact re-scoring
  sketch     TEXT NOT NULL,                 -- base64: int8 per dimension + float32 scale, for the in-memory scan
                                            -- (text: D1 hands BLOBs to a Worker as arrays of numbers, too slow for 10k rows)
  question   TEXT NOT NULL,                 -- the cached last user message (the decision compares texts)
  answer     TEXT NOT NULL,                 -- stored-answer encoding: metadata line, newline, response JSON
  created_at INTEGER NOT NULL,              -- ms since epoch
  expires_at INTEGER NOT NULL               -- ms since epoch; never served at or after this
);
CREATE INDEX IF NOT EXISTS semantic_entries_context_seq ON semantic_entries (context, seq);
CREATE INDEX IF NOT EXISTS semantic_entries_expires ON semantic_entries (expires_at);

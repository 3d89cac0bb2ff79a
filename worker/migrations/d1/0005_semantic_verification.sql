-- Semantic-cache online verification (worker/src/cache/semantic/verification/): labelled verdicts
-- per project and embedder, the daily sampling quota, and every change of the threshold in force.
-- See worker/docs/storage-schema.md. Append-only schema.

-- One judged pair: a sampled semantic hit re-asked upstream, or a near miss (both answers known).
CREATE TABLE IF NOT EXISTS semantic_verdicts (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  project         TEXT NOT NULL,
  embedder        TEXT NOT NULL,              -- e.g. workers-ai:@cf/baai/bge-base-en-v1.5: thresholds are per embedder
  ts              INTEGER NOT NULL,           -- ms since epoch
  source          TEXT NOT NULL,              -- 'sampled_hit' | 'near_miss'
  score           REAL NOT NULL,              -- the decision's score for the pair
  threshold       REAL NOT NULL,              -- the threshold in force when the pair was seen
  weight          REAL NOT NULL,              -- 1 / P(labelled): 1 / sample_rate for hits, 1 for near misses
  wrong           INTEGER NOT NULL,           -- 1 when the judge found the cached answer wrong for the question
  judge           TEXT NOT NULL,              -- 'default' | 'model:<alias>'
  judge_score     REAL,                       -- the judge's own P(same), when it has one
  default_wrong   INTEGER,                    -- with an LLM judge: the default judge's verdict on the same pair (agreement)
  request_id      TEXT,
  cost_usd        REAL,                       -- what the re-ask cost (sampled hits)
  question        TEXT,                       -- only when the project logs prompts: redacted, truncated
  cached_question TEXT                        -- idem
);
CREATE INDEX IF NOT EXISTS semantic_verdicts_scope ON semantic_verdicts (project, embedder, id);

-- Labels claimed per project, day (UTC) and kind; claimed by one conditional upsert, so the cap holds
-- across isolates: INSERT … ON CONFLICT DO UPDATE SET used = used + 1 WHERE used < cap RETURNING used.
CREATE TABLE IF NOT EXISTS semantic_verification_quota (
  project TEXT NOT NULL,
  day     TEXT NOT NULL,                      -- YYYY-MM-DD, UTC
  kind    TEXT NOT NULL,                      -- 'sampled_hit' | 'near_miss'
  used    INTEGER NOT NULL,
  PRIMARY KEY (project, day, kind)
);

-- Every change of the threshold in force (and the first one computed): never silent.
CREATE TABLE IF NOT EXISTS semantic_thresholds (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  project     TEXT NOT NULL,
  embedder    TEXT NOT NULL,
  ts          INTEGER NOT NULL,
  threshold   REAL NOT NULL,
  previous    REAL,                           -- the threshold in force before (NULL for the first row)
  reason      TEXT NOT NULL,                  -- 'start' | 'certified' | 'unsafe'
  certified   INTEGER NOT NULL,               -- 1 when the labels certify it (else the start holds)
  labels      INTEGER NOT NULL,               -- labels at or above it
  rate        REAL NOT NULL,                  -- weighted false-hit rate among them
  upper       REAL NOT NULL,                  -- its one-sided upper confidence bound
  max_rate    REAL NOT NULL                   -- the policy's max_false_hit_rate at the time
);
CREATE INDEX IF NOT EXISTS semantic_thresholds_scope ON semantic_thresholds (project, embedder, id);

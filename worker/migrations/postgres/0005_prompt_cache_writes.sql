-- Native APIs (issue 12): prompt-cache write tokens in the usage event, as in D1 migration 0007.
-- cached_tokens already counts cache reads; NULL in events written before this migration.
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS cache_write_tokens integer;
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS cache_write_1h_tokens integer;

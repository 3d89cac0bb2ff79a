-- The pre-upstream budget (issue 14): the usage event's new field, as in D1 migration 0011.
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS lookup_budget_stage text;

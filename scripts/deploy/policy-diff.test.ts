import { describe, expect, it } from 'vitest'
import { compilePolicy } from '../../worker/src/policy/compile.ts'
import type { CompiledPolicy } from '../../worker/src/policy/load.ts'
import { diffPolicies } from './policy-diff.ts'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const C = 'c'.repeat(64)
const base = `
providers:
  openai: { type: openai, api_key: { secret: OPENAI_API_KEY } }
  groq: { type: groq, api_key: { secret: GROQ_API_KEY } }
models:
  fast:
    targets: [{ provider: openai, model: gpt-4o-mini }, { provider: groq, model: llama-3.1-8b-instant }]
  slow:
    targets: [{ provider: openai, model: gpt-4o }]
projects:
  support:
    keys: [{ id: web, sha256: ${A} }, { id: ci, sha256: ${B} }]
    models: [fast, slow]
    cache: { exact: { store: kv, ttl_seconds: 3600 } }
`
async function compile(text: string): Promise<CompiledPolicy> {
  const result = await compilePolicy([{ path: 'p.yaml', text }])
  if (!result.ok) throw new Error(JSON.stringify(result.error))
  return result.value
}

describe('diffPolicies', () => {
  it('reads a policy edit path by path: routes, targets, keys by id, cache settings', async () => {
    const before = await compile(base)
    const after = await compile(
      base
        .replace(', { provider: groq, model: llama-3.1-8b-instant }', '')
        .replace('  slow:\n    targets: [{ provider: openai, model: gpt-4o }]\n', '  slow:\n    targets: [{ provider: openai, model: gpt-4o }]\n  reasoning:\n    targets: [{ provider: openai, model: o3-mini, timeout_ms: 120000 }]\n')
        .replace(`{ id: ci, sha256: ${B} }`, `{ id: ops, sha256: ${C} }`)
        .replace('ttl_seconds: 3600', 'ttl_seconds: 600'),
    )
    const lines = diffPolicies(before, after)
    expect(lines[0]).toBe(`policy ${before.hash.slice(0, 12)} → ${after.hash.slice(0, 12)}`)
    expect(lines.slice(1)).toEqual([
      '  ~ models.fast.targets: [openai/gpt-4o-mini, groq/llama-3.1-8b-instant] → [openai/gpt-4o-mini]',
      expect.stringMatching(/^ {2}\+ models\.reasoning: \{kind: chat, targets: \[openai\/o3-mini \(120000 ms\)\], retry: .*timeout_ms: 60000\}$/),
      expect.stringMatching(/^ {2}- projects\.support\.keys\.ci: \{id: ci, sha256: b{64}, local_only: false\}$/),
      expect.stringMatching(/^ {2}\+ projects\.support\.keys\.ops: \{id: ops, sha256: c{64}, local_only: false\}$/),
      '  ~ projects.support.cache.exact.ttl_seconds: 3600 → 600',
    ])
  })

  it('shows sections it has never heard of without special code', async () => {
    const before = await compile(base)
    const after = structuredClone(before)
    after.hash = 'f'.repeat(64)
    // Written as plain data: the point is that the diff needs no knowledge of these sections' types.
    const support = (p: CompiledPolicy) => p.projects['support'] as unknown as Record<string, unknown>
    support(after)['quotas'] = { requests_per_minute: 600, tokens_per_minute: 100_000 }
    support(after)['filters'] = [{ id: 'no-secrets', kind: 'regex_deny', pattern: 'sk-' }]
    expect(diffPolicies(before, after).slice(1)).toEqual([
      '  + projects.support.quotas: {requests_per_minute: 600, tokens_per_minute: 100000}',
      '  + projects.support.filters: [{id: no-secrets, kind: regex_deny, pattern: sk-}]',
    ])
    const later = structuredClone(after)
    later.hash = 'e'.repeat(64)
    ;(support(later)['filters'] as { pattern: string }[])[0]!.pattern = 'sk-|ghp_'
    expect(diffPolicies(after, later).slice(1)).toEqual(['  ~ projects.support.filters.no-secrets.pattern: sk- → sk-|ghp_'])
  })

  it('says so when nothing changed, and lists everything when nothing is deployed yet', async () => {
    const p = await compile(base)
    expect(diffPolicies(p, p)).toEqual([`policy ${p.hash.slice(0, 12)} → ${p.hash.slice(0, 12)}: no change`])
    const first = diffPolicies(undefined, p)
    expect(first[0]).toBe(`policy (none deployed) → ${p.hash.slice(0, 12)}`)
    expect(first).toContain('  + providers.openai: {type: openai, api_key: {secret: OPENAI_API_KEY}, failover_on_auth_error: false}')
    expect(first).toContain('  + models.fast: {kind: chat, targets: [openai/gpt-4o-mini, groq/llama-3.1-8b-instant], retry: {attempts: 0, backoff_ms: 100}, timeout_ms: 60000}')
  })
})

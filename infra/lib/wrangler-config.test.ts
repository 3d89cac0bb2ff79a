import { describe, expect, test } from 'vitest'
import { parseWranglerConfig, readWranglerConfig } from './wrangler-config.ts'

const base = `"name": "watchllm-gateway", "main": "src/index.ts", "compatibility_date": "2026-11-01"`

describe('parseWranglerConfig', () => {
  test('the repository’s wrangler.jsonc parses, env.local ignored (production bindings only)', async () => {
    const decl = await readWranglerConfig('worker/wrangler.jsonc')
    expect(decl.scriptName).toBe('watchllm-gateway')
    expect(decl.bindings.find((b) => b.name === 'WATCHLLM_ENV')).toEqual({ kind: 'plain_text', name: 'WATCHLLM_ENV', text: 'production' })
    expect(decl.queues).toContain('watchllm-events')
    expect(decl.crons).toEqual(['7 * * * *'])
    expect(decl.doMigrations).toEqual([{ tag: 'v1', new_sqlite_classes: ['ScopeLedger'] }])
  })

  test('cron triggers are read from triggers.crons (none when absent)', () => {
    expect(parseWranglerConfig(`{ ${base}, "triggers": { "crons": ["0 * * * *", "30 2 * * 1"] } }`).crons).toEqual(['0 * * * *', '30 2 * * 1'])
    expect(parseWranglerConfig(`{ ${base} }`).crons).toEqual([])
  })

  test('comments and trailing commas are accepted (JSONC)', () => {
    const decl = parseWranglerConfig(`// top\n{ ${base}, /* inline */ "ai": { "binding": "AI" }, }`)
    expect(decl.bindings).toEqual([{ kind: 'ai', name: 'AI' }])
  })

  test('queues are collected from producers, consumers and dead-letter queues, once each', () => {
    const decl = parseWranglerConfig(`{ ${base}, "queues": {
      "producers": [{ "binding": "EVENTS", "queue": "q1" }],
      "consumers": [{ "queue": "q1", "dead_letter_queue": "q1-dlq" }, { "queue": "q1-dlq" }] } }`)
    expect(decl.queues).toEqual(['q1', 'q1-dlq'])
    expect(decl.consumers).toHaveLength(2)
  })

  test.each([
    [`{ ${base}, "r2_buckets": [] }`, /declares r2_buckets, which infra\/ does not provision/],
    [`{ ${base}, "services": [] }`, /declares services/],
    [`{ ${base}, "kv_namespaces": [{ "binding": "X" }], "vectorize": [{ "binding": "X", "index_name": "i" }] }`, /binding X is declared twice/],
    [`{ "main": "src/index.ts", "compatibility_date": "2026-11-01" }`, /worker\/wrangler.jsonc name: /],
    [`{ ${base}, "compatibility_date": "soon" }`, /compatibility_date/],
    [`{ ${base}, \n "ai": }`, /worker\/wrangler.jsonc:2 ValueExpected/],
    [`{ ${base}, "triggers": { "crons": [], "events": [] } }`, /triggers: Unrecognized key: "events"/],
  ])('refuses %s', (text, message) => {
    expect(() => parseWranglerConfig(text)).toThrow(message)
  })
})

import { describe, expect, it } from 'vitest'
import { buildEvent, type EventInput } from './build-event.ts'
import { usageEventSchema } from './event.ts'
import { newFacts } from './request-facts.ts'

const input = (over: Partial<EventInput> = {}): EventInput => ({
  requestId: 'req-1',
  startedAt: 1_000,
  endedAt: 1_012.3456,
  project: 'demo',
  keyId: 'k',
  endpoint: 'chat',
  httpStatus: 200,
  facts: { ...newFacts(), modelRequested: 'gpt-4o-mini', modelServed: 'gpt-4o-mini', provider: 'openai', cache: 'MISS', completed: true, usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, reasoningTokens: 1 } },
  cost: { costUsd: 0.001, costSavedUsd: null, status: 'priced' },
  policyHash: 'f'.repeat(64),
  session: null,
  userId: null,
  prompt: null,
  answer: null,
  ...over,
})

describe('building the usage event', () => {
  it('produces a valid v1 event with tokens, cost and rounded latency', () => {
    const event = buildEvent(input())
    expect(usageEventSchema.safeParse(event).success).toBe(true)
    expect(event).toMatchObject({ v: 1, latency_ms: 12.35, input_tokens: 10, cached_tokens: 2, reasoning_tokens: 1, cost_usd: 0.001, error_code: null })
  })

  it('takes the status and code an error recorded in facts over the HTTP status', () => {
    const facts = { ...newFacts(), status: 404, errorCode: 'model_not_found' }
    expect(buildEvent(input({ facts, httpStatus: 200 }))).toMatchObject({ status: 404, error_code: 'model_not_found', completed: false, input_tokens: 0 })
  })

  it('marks a stream that was cut short, though its status stayed 200', () => {
    const facts = { ...newFacts(), stream: true, completed: false }
    expect(buildEvent(input({ facts }))).toMatchObject({ status: 200, error_code: 'stream_incomplete' })
  })

  it('keeps at most 20 attempts and only PII kinds', () => {
    const attempts = Array.from({ length: 30 }, (_, i) => ({ provider: 'p', model: 'm', status: 503, ms: i }))
    const event = buildEvent(input({ facts: { ...newFacts(), attempts, piiKinds: ['email'] } }))
    expect(event.attempts).toBe(30)
    expect(event.attempts_detail).toHaveLength(20)
    expect(event.pii).toEqual(['email'])
    expect(usageEventSchema.safeParse(event).success).toBe(true)
  })
})

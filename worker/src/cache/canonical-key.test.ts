import { describe, expect, it } from 'vitest'
import { exactCacheKey, type CacheKeyInput } from './canonical-key.ts'

const base: CacheKeyInput = {
  project: 'p',
  namespace: 'default',
  endpoint: 'chat',
  alias: 'gpt-4o-mini',
  routeFingerprint: 'r1',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 },
}
const key = (over: Partial<CacheKeyInput> = {}, body: Record<string, unknown> = {}) =>
  exactCacheKey({ ...base, ...over, body: { ...base.body, ...body } })

describe('exact cache key', () => {
  it('ignores what cannot change the answer: user, stream, stream_options, metadata, key order', () => {
    const k = key()
    expect(key({}, { user: 'alice', stream: true, stream_options: { include_usage: true }, metadata: { a: 1 } })).toBe(k)
    expect(exactCacheKey({ ...base, body: { temperature: 0.2, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o-mini' } })).toBe(k)
  })

  it('treats the API defaults and text-part arrays as the same request', () => {
    expect(key({}, { n: 1, top_p: 1, presence_penalty: 0 })).toBe(key())
    expect(key({}, { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })).toBe(key())
    expect(key({}, { max_tokens: 10 })).toBe(key({}, { max_completion_tokens: 10 }))
  })

  it.each([
    ['messages', { messages: [{ role: 'user', content: 'hi!' }] }],
    ['a system prompt', { messages: [{ role: 'system', content: 'be terse' }, { role: 'user', content: 'hi' }] }],
    ['temperature', { temperature: 0.3 }],
    ['top_p', { top_p: 0.5 }],
    ['max_tokens', { max_tokens: 5 }],
    ['seed', { seed: 7 }],
    ['stop', { stop: ['\n'] }],
    ['n', { n: 2 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['tools', { tools: [{ type: 'function', function: { name: 'f' } }] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['an unknown new parameter', { reasoning_effort: 'high' }],
  ])('changes with %s', (_, body) => {
    expect(key({}, body)).not.toBe(key())
  })

  it('is namespaced by project, namespace, endpoint, alias and route', () => {
    const k = key()
    for (const over of [{ project: 'q' }, { namespace: 'team-b' }, { endpoint: 'embeddings' as const }, { alias: 'gpt-4o' }, { routeFingerprint: 'r2' }])
      expect(key(over)).not.toBe(k)
    expect(key({ project: 'q' }).startsWith('wllm:exact:v1:q:default:')).toBe(true)
  })
})

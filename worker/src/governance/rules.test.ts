import { describe, expect, it } from 'vitest'
import { ruleSchema, type RulePolicy } from '../policy/rules/index.ts'
import { ruleSubject } from './rule-subject.ts'
import { compileRules } from './rules.ts'

const rule = (when: unknown[], then: unknown = { kind: 'flag' }, id = 'r'): RulePolicy => ruleSchema.parse({ id, when, then })
const request = (body: Record<string, unknown> = {}, headers: Record<string, string> = {}, alias = 'gpt') =>
  ruleSubject({
    alias,
    body: { model: alias, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'What is my password?' }] }], ...body },
    header: (name) => headers[name],
  })
const hits = (r: RulePolicy, subject = request()) => compileRules([r])(subject).hits.length === 1

describe('rule conditions', () => {
  it.each([
    [{ kind: 'model', in: ['gpt'] }, request(), true],
    [{ kind: 'model', not_in: ['gpt'] }, request(), false],
    [{ kind: 'prompt_tokens', gt: 5 }, request(), true],
    [{ kind: 'prompt_tokens', gt: 5, lt: 7 }, request(), false],
    [{ kind: 'max_tokens', missing: true }, request(), true],
    [{ kind: 'max_tokens', gt: 100 }, request({ max_completion_tokens: 500, max_tokens: 50 }), true],
    [{ kind: 'regex', pattern: '\\bpassword\\b', flags: 'i', in: 'last_user' }, request(), true],
    [{ kind: 'regex', pattern: 'password', in: 'system' }, request(), false],
    [{ kind: 'header', name: 'X-Team', equals: 'ops' }, request({}, { 'x-team': 'ops' }), true],
    [{ kind: 'header', name: 'x-team', present: false }, request({}, { 'x-team': 'ops' }), false],
    [{ kind: 'metadata', key: 'tier', in: ['free', 'trial'] }, request({ metadata: { tier: 'trial' } }), true],
    [{ kind: 'metadata', key: 'tier', present: true }, request({ metadata: { tier: 3 } }), false],
    [{ kind: 'stream', is: true }, request({ stream: true }), true],
    [{ kind: 'tools', present: true }, request({ tools: [{ type: 'function', function: { name: 'f' } }] }), true],
    [{ kind: 'tools', present: true }, request({ tools: [] }), false],
    [{ kind: 'client_ip', in: ['10.0.0.0/8'] }, request({}, { 'cf-connecting-ip': '10.1.2.3' }), true],
    [{ kind: 'client_ip', in: ['10.0.0.0/8'] }, request({}, { 'cf-connecting-ip': '::ffff:10.1.2.3' }), true],
    [{ kind: 'client_ip', in: ['2001:db8::/32'] }, request({}, { 'cf-connecting-ip': '2001:db8::1' }), true],
    [{ kind: 'client_ip', not_in: ['10.0.0.0/8'] }, request({}, { 'cf-connecting-ip': '203.0.113.9' }), true],
    [{ kind: 'client_ip', not_in: ['10.0.0.0/8'] }, request(), false],
  ])('%j', (condition, subject, expected) => {
    expect(hits(rule([condition]), subject)).toBe(expected)
  })

  it('needs every condition to hold; none means always', () => {
    expect(hits(rule([{ kind: 'model', in: ['gpt'] }, { kind: 'stream', is: true }]))).toBe(false)
    expect(hits(rule([]))).toBe(true)
  })
})

describe('rule actions, in order', () => {
  it('a block stops evaluation and names the rule; later rules do not run', () => {
    const outcome = compileRules([rule([], { kind: 'flag' }, 'first'), rule([], { kind: 'block', status: 429, message: 'slow down' }, 'stop'), rule([], { kind: 'flag' }, 'never')])(request())
    expect(outcome.hits.map((h) => h.id)).toEqual(['first', 'stop'])
    expect(outcome.blocked).toEqual({ id: 'stop', status: 429, message: 'slow down' })
  })

  it('route, set and clamp change the request for the rules after them, never the original body', () => {
    const subject = request({ max_tokens: 5000, temperature: 1.5 })
    const original = subject.body
    const outcome = compileRules([
      rule([], { kind: 'route', model: 'small' }, 'route'),
      rule([{ kind: 'model', in: ['small'] }], { kind: 'set', params: { seed: 3 } }, 'set'),
      rule([], { kind: 'clamp', param: 'max_tokens', max: 1024 }, 'cap'),
      rule([], { kind: 'clamp', param: 'temperature', min: 0, max: 1 }, 'cool'),
      rule([{ kind: 'max_tokens', gt: 1024 }], { kind: 'flag' }, 'too-long'),
    ])(subject)
    expect(outcome.hits.map((h) => h.id)).toEqual(['route', 'set', 'cap', 'cool'])
    expect(subject.alias).toBe('small')
    expect(subject.body).toMatchObject({ seed: 3, max_tokens: 1024, temperature: 1 })
    expect(original).toMatchObject({ max_tokens: 5000, temperature: 1.5 })
    expect(original.seed).toBeUndefined()
  })

  it('a max_tokens clamp caps a request that set no limit, and max_completion_tokens too', () => {
    const cap = compileRules([rule([], { kind: 'clamp', param: 'max_tokens', max: 256 })])
    const none = request()
    cap(none)
    expect(none.body.max_tokens).toBe(256)
    const both = request({ max_completion_tokens: 900 })
    cap(both)
    expect(both.body).toMatchObject({ max_completion_tokens: 256 })
    expect(both.body.max_tokens).toBeUndefined()
  })
})

/**
 * The guard stage through the whole pipeline, against the fake OpenAI upstream driven by the
 * official SDK: rules (block with the rule's id, clamp, set, re-route, flag) and the PII guardrail
 * (what the provider receives, what the client gets back — JSON and stream, fresh and cached — and
 * what telemetry keeps).
 */
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { driveGateway } from '../drive-gateway.ts'
import { eventFor, receivedBy, unique } from './helpers.ts'

const KEY = 'lgw_guard_test_rules'
const PII_KEY = 'lgw_guard_test_pii'
const BLOCK_KEY = 'lgw_guard_test_pii_block'

const compiled = await compilePolicy([
  {
    path: 'guard.yaml',
    text: `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
  groq: { type: groq, api_key: { secret: FAKE_GROQ_KEY }, base_url: { var: FAKE_GROQ_URL } }
models:
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  big: { targets: [{ provider: openai, model: gpt-4o }] }
  small: { targets: [{ provider: groq, model: llama-3.1-8b-instant }] }
projects:
  rules:
    keys: [{ id: r, sha256: ${sha256Hex(KEY)} }]
    rules:
      - id: no-private-keys
        when: [{ kind: regex, pattern: '\\bBEGIN [A-Z ]{0,20}PRIVATE KEY\\b', in: last_user }]
        then: { kind: block, status: 422, message: Never paste private keys. }
      - id: interns-not-on-big
        when: [{ kind: model, in: [big] }, { kind: header, name: x-team, equals: interns }]
        then: { kind: route, model: small }
      - id: cap-output
        when: [{ kind: model, in: [gpt, big] }]
        then: { kind: clamp, param: max_tokens, max: 256 }
      - id: deterministic-tests
        when: [{ kind: metadata, key: mode, equals: test }]
        then: { kind: set, params: { temperature: 0, seed: 7 } }
      - id: watch-long-prompts
        when: [{ kind: prompt_tokens, gt: 50 }]
        then: { kind: flag }
  pii:
    keys: [{ id: p, sha256: ${sha256Hex(PII_KEY)} }]
    pii: { restore: true, email: redact, card: redact, phone: redact, secret: block }
    telemetry: { log_prompts: true }
  strict:
    keys: [{ id: s, sha256: ${sha256Hex(BLOCK_KEY)} }]
    pii: { default: block }
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const gateway = driveGateway(createApp(compiled.value), KEY)
const client = (key = KEY, headers: Record<string, string> = {}) => gateway.client(key, headers)

describe('rules', () => {
  it('a block answers in the OpenAI error shape with the rule id, and nothing reaches the provider', async () => {
    const marker = unique()
    const request = client().chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `${marker} -----BEGIN RSA PRIVATE KEY----- MIIE…` }] })
    const error = await request.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.UnprocessableEntityError)
    const e = error as InstanceType<typeof OpenAI.APIError>
    expect(e.status).toBe(422)
    expect(e.code).toBe('rule_blocked')
    expect(e.message).toContain('`no-private-keys`')
    expect(e.message).toContain('Never paste private keys.')
    expect(await receivedBy(marker)).toEqual([])
  })

  it('a clamp changes what the fake upstream receives, and a set does too (before the cache)', async () => {
    const marker = unique()
    await client().chat.completions.create({ model: 'gpt', max_tokens: 4000, messages: [{ role: 'user', content: `cap ${marker}` }] })
    await client().chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `no limit ${marker}` }], metadata: { mode: 'test' } })
    await client().chat.completions.create({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: `below ${marker}` }] })
    const [capped, unlimited, below] = await receivedBy(marker)
    expect(capped?.body.max_tokens).toBe(256)
    expect(unlimited?.body).toMatchObject({ max_tokens: 256, temperature: 0, seed: 7 })
    expect(below?.body.max_tokens).toBe(100)
  })

  it('a route re-resolves to another alias, and the cache keys on the alias actually used', async () => {
    const question = `route me ${unique()}`
    const asked = { model: 'big', messages: [{ role: 'user' as const, content: question }] }
    const interns = await client(KEY, { 'x-team': 'interns' }).chat.completions.create(asked).withResponse()
    expect(interns.response.headers.get('x-watchllm-provider')).toBe('groq')
    expect(interns.response.headers.get('x-watchllm-model')).toBe('llama-3.1-8b-instant')
    const others = await client().chat.completions.create(asked).withResponse()
    expect(others.response.headers.get('x-watchllm-provider')).toBe('openai')
    expect(others.response.headers.get('x-watchllm-cache')).toBe('MISS') // not the interns' cached answer
  })

  it('every hit is in the usage event, ids and actions only', async () => {
    const id = `guard-${unique()}`
    await client(KEY, { 'x-request-id': id }).chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `${'long '.repeat(60)} ${id}` }] })
    const event = await eventFor(id)
    expect(event.rule_id).toBe('cap-output')
    expect(JSON.parse(event.rules as string)).toEqual([
      { id: 'cap-output', action: 'clamp' },
      { id: 'watch-long-prompts', action: 'flag' },
    ])
  })
})

describe('the PII guardrail', () => {
  const prompt = (marker: string, email: string) =>
    `${marker}: mail ${email} a receipt for card 4111 1111 1111 1111, or call +1 415-555-0100.`

  it('the provider receives placeholders; the client gets its own values back; the event holds counts only', async () => {
    const marker = `pii-${unique()}`
    const { data, response } = await client(PII_KEY, { 'x-request-id': marker }).chat.completions
      .create({ model: 'gpt', messages: [{ role: 'user', content: prompt(marker, 'jane.doe@example.com') }] })
      .withResponse()
    const [received] = await receivedBy(marker)
    const sent = JSON.stringify(received?.body)
    expect(sent).toContain('mail [EMAIL_1] a receipt for card [CARD_1], or call [PHONE_1].')
    for (const value of ['jane.doe@example.com', '4111 1111 1111 1111', '415-555-0100']) expect(sent).not.toContain(value)

    expect(data.choices[0]?.message.content).toBe(`You said: ${prompt(marker, 'jane.doe@example.com')}`)
    expect(response.headers.get('x-watchllm-pii')).toBe('email=1, phone=1, card=1')

    const event = await eventFor(marker)
    expect(JSON.parse(event.pii_counts as string)).toEqual({ email: 1, card: 1, phone: 1 })
    expect(JSON.parse(event.pii as string)).toEqual(['email', 'card', 'phone'])
    const stored = JSON.stringify(event)
    for (const value of ['jane.doe', '4111 1111', '415-555-0100']) expect(stored).not.toContain(value)
    expect(event.prompt).toContain('[EMAIL_1]') // the opted-in prompt log keeps what the provider saw
  })

  it('a stream comes back restored even when placeholders are split across chunks', async () => {
    const marker = `pii-${unique()}`
    const stream = await client(PII_KEY).chat.completions.create({ model: 'gpt', stream: true, messages: [{ role: 'user', content: prompt(marker, 'sam@example.org') }] })
    let text = ''
    let chunks = 0
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      chunks++
    }
    expect(chunks).toBeGreaterThan(3)
    expect(text).toBe(`You said: ${prompt(marker, 'sam@example.org')}`)
    expect(JSON.stringify((await receivedBy(marker))[0]?.body)).not.toContain('sam@example.org')
  })

  it('the cache keeps the answer with placeholders, and restores each request with its own values', async () => {
    const marker = `pii-${unique()}`
    await client(PII_KEY).chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: prompt(marker, 'first@example.com') }] })
    const second = await client(PII_KEY).chat.completions
      .create({ model: 'gpt', messages: [{ role: 'user', content: prompt(marker, 'second@example.com') }] })
      .withResponse()
    expect(second.response.headers.get('x-watchllm-cache')).toBe('HIT')
    expect(second.data.choices[0]?.message.content).toBe(`You said: ${prompt(marker, 'second@example.com')}`)
    expect(await receivedBy(marker)).toHaveLength(1)

    const replayed = await client(PII_KEY).chat.completions.create({ model: 'gpt', stream: true, messages: [{ role: 'user', content: prompt(marker, 'third@example.com') }] })
    let text = ''
    for await (const chunk of replayed) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe(`You said: ${prompt(marker, 'third@example.com')}`)
  })

  it('a kind marked block refuses the request with 400 naming the kinds, and nothing is sent', async () => {
    const marker = `pii-${unique()}`
    const leaked = client(PII_KEY).chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `${marker} my key is sk-proj-Abc123Def456Ghi789Jkl0` }] })
    await expect(leaked).rejects.toMatchObject({ status: 400, code: 'pii_blocked' })
    const strict = await client(BLOCK_KEY).chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `${marker} ssn 123-45-6789, from 10.0.0.1` }] }).catch((e: unknown) => e)
    expect((strict as InstanceType<typeof OpenAI.APIError>).message).toContain(': ssn, ip.')
    expect(await receivedBy(marker)).toEqual([])
  })

  it('a request with nothing to redact goes through untouched, with no header', async () => {
    const marker = `pii-${unique()}`
    const { response } = await client(PII_KEY).chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `${marker} hello` }] }).withResponse()
    expect(response.headers.get('x-watchllm-pii')).toBeNull()
    expect((await receivedBy(marker))[0]?.body.messages[0]?.content).toBe(`${marker} hello`)
  })
})

import { describe, expect, it } from 'vitest'
import { piiSchema } from '../policy/pii.ts'
import { compilePii, guardPii, piiHeader } from './pii-guard.ts'

const compiled = (policy: unknown) => compilePii(piiSchema.parse(policy))!

describe('the PII guard on a request body', () => {
  it('redacts every text of a chat request — string and part contents, tool arguments, user — with one set of placeholders', () => {
    const body = {
      model: 'm',
      user: 'bob@example.com',
      messages: [
        { role: 'system', content: 'Support for bob@example.com' },
        { role: 'user', content: [{ type: 'text', text: 'I am bob@example.com, card 4111 1111 1111 1111' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'mail', arguments: '{"to":"ann@example.com"}' } }] },
      ],
    }
    const snapshot = JSON.stringify(body)
    const result = guardPii(body, compiled({ email: 'redact', card: 'redact' }))
    if (result.blocked) throw new Error('blocked')
    expect(result.body).toEqual({
      model: 'm',
      user: '[EMAIL_1]',
      messages: [
        { role: 'system', content: 'Support for [EMAIL_1]' },
        { role: 'user', content: [{ type: 'text', text: 'I am [EMAIL_1], card [CARD_1]' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'mail', arguments: '{"to":"[EMAIL_2]"}' } }] },
      ],
    })
    expect(JSON.stringify(body)).toBe(snapshot) // the client's object is never changed
    expect(piiHeader(result.vault.counts)).toBe('email=4, card=1')
  })

  it('redacts an embeddings input, and leaves a body without PII as the same object', () => {
    const guard = compiled({ default: 'redact' })
    const embed = guardPii({ model: 'e', input: ['call +1 415-555-0100', 'nothing'] }, guard)
    expect(!embed.blocked && embed.body.input).toEqual(['call [PHONE_1]', 'nothing'])
    const clean = { model: 'm', messages: [{ role: 'user', content: 'hello' }] }
    const result = guardPii(clean, guard)
    expect(!result.blocked && result.body).toBe(clean)
  })

  it('a kind marked block refuses the whole request, counting every kind it found', () => {
    const result = guardPii({ model: 'm', messages: [{ role: 'user', content: 'ssn 123-45-6789 and mail a@b.co, key sk-proj-Abc123Def456Ghi789' }] }, compiled({ email: 'redact', ssn: 'block', secret: 'block' }))
    expect(result.blocked && Object.fromEntries(result.blocked)).toEqual({ ssn: 1, secret: 1 })
  })

  it('compiles away a policy that allows everything', () => {
    expect(compilePii(piiSchema.parse({ restore: true }))).toBeUndefined()
    expect(compilePii(undefined)).toBeUndefined()
  })
})

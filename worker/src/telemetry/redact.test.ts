import { describe, expect, it } from 'vitest'
import { redactForLog, redactText, telemetryUserId } from './redact.ts'

describe('redaction of logged text', () => {
  it.each([
    ['write to jane.doe+x@mail.example.org today', 'write to [email] today', ['email']],
    ['card 4111 1111 1111 1111 please', 'card [card] please', ['card']],
    ['order 4111 1111 1111 1112 is not a card', 'order 4111 1111 1111 1112 is not a card', []],
    ['ssn 123-45-6789', 'ssn [ssn]', ['ssn']],
    ['IBAN DE89 3704 0044 0532 0130 00 ok', 'IBAN [iban] ok', ['iban']],
    ['call +1 415-555-0100 now', 'call [phone] now', ['phone']],
    ['from 10.1.2.3 and 2001:db8::7', 'from [ip] and [ip]', ['ip']],
    ['key sk-proj-abcdefghijklmnop here', 'key [secret] here', ['secret']],
    ['Authorization: Bearer abc.def.ghi-123', 'Authorization: [redacted]', []],
  ])('%s', (input, text, kinds) => {
    expect(redactText(input)).toEqual({ text, kinds })
  })

  it('reports each kind once, in a stable order', () => {
    expect(redactText('a@b.co, 123-45-6789, c@d.co').kinds).toEqual(['email', 'ssn'])
  })

  it('truncates only after redacting, so a cut never leaves half a value', () => {
    const text = `${'x'.repeat(20)} bob@example.com`
    const out = redactForLog(text, 24)
    expect(out).toBe(`${'x'.repeat(20)} [e…`)
    expect(out).not.toContain('bob')
  })

  it('scans only what it can keep, yet never cuts a value that starts before the cut', () => {
    const long = `${'word '.repeat(2_000)}write to carol@example.com ${'tail '.repeat(200_000)}`
    const out = redactForLog(long, 10_030)
    expect(out).toContain('[email]')
    expect(out).not.toContain('carol')
    expect(out.length).toBe(10_030)
  })

  it('keeps opaque user ids and redacts ids that are themselves PII', () => {
    expect(telemetryUserId('user_8812')).toBe('user_8812')
    expect(telemetryUserId('alice@example.com')).toBe('[email]')
    expect(telemetryUserId(undefined)).toBeNull()
    expect(telemetryUserId('u'.repeat(300))).toHaveLength(128)
  })
})

import { describe, expect, it } from 'vitest'
import { piiKinds, type PiiKind } from './kinds.ts'
import { scanPii } from './scan.ts'

const all = new Set<PiiKind>(piiKinds)
const found = (text: string, kinds: ReadonlySet<PiiKind> = all) => scanPii(text, kinds).map((s) => `${s.kind}:${text.slice(s.start, s.end)}`)

describe('PII detectors find what they should', () => {
  it.each([
    ['mail jane.doe+x@mail.example.org.', ['email:jane.doe+x@mail.example.org']],
    ['<bob_smith@sub.example.co.uk>', ['email:bob_smith@sub.example.co.uk']],
    ['card 4111 1111 1111 1111 please', ['card:4111 1111 1111 1111']],
    ['card 4111-1111-1111-1111, amex 378282246310005', ['card:4111-1111-1111-1111', 'card:378282246310005']],
    ['4111 1111 1111 1111 123 (card, then its CVV)', ['card:4111 1111 1111 1111']],
    ['ssn 123-45-6789', ['ssn:123-45-6789']],
    ['IBAN DE89 3704 0044 0532 0130 00 ok', ['iban:DE89 3704 0044 0532 0130 00']],
    ['GB82WEST12345698765432', ['iban:GB82WEST12345698765432']],
    ['call +1 415-555-0100 now', ['phone:+1 415-555-0100']],
    ['(415) 555-0100, 415.555.0100, 1-415-555-0100', ['phone:(415) 555-0100', 'phone:415.555.0100', 'phone:1-415-555-0100']],
    ['+44 20 7946 0958 or 020 7946 0958 or 06 12 34 56 78', ['phone:+44 20 7946 0958', 'phone:020 7946 0958', 'phone:06 12 34 56 78']],
    ['from 10.0.0.1.', ['ip:10.0.0.1']],
    ['v6 2001:db8::8a2e:370:7334 and fe80::1%eth0 and ::ffff:192.0.2.1', ['ip:2001:db8::8a2e:370:7334', 'ip:fe80::1%eth0', 'ip:::ffff:192.0.2.1']],
    ['sk-proj-abcdefghijklmnop1234 and sk-ant-api03-abcdefghijklmnop', ['secret:sk-proj-abcdefghijklmnop1234', 'secret:sk-ant-api03-abcdefghijklmnop']],
    ['gsk_abcdefghijklmnopqrstuv AKIAIOSFODNN7EXAMPLE', ['secret:gsk_abcdefghijklmnopqrstuv', 'secret:AKIAIOSFODNN7EXAMPLE']],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789 xoxb-123456789012-abcdef', ['secret:ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'secret:xoxb-123456789012-abcdef']],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', ['secret:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U']],
    ['unprefixed Zx8Qm2Lp0Vr7Tn4Ks1Wd9Hy3 and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', ['secret:Zx8Qm2Lp0Vr7Tn4Ks1Wd9Hy3', 'secret:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z\n-----END RSA PRIVATE KEY----- done', ['secret:-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z\n-----END RSA PRIVATE KEY-----']],
  ])('%s', (text, expected) => {
    expect(found(text)).toEqual(expected)
  })
})

describe('and leave alone what only looks similar', () => {
  it.each([
    'order 4111 1111 1111 1112 (fails Luhn)',
    'timestamp 1700000000000 and 17000000000000',
    'dates 2024-01-15, 15.01.2024, 01/02/2024, at 12:30:45',
    'version 1.2.3.4.5 and v1.2.3.4, amount 1,234.56, 3.14159',
    'part 123-45-6789-01 is a part number, 000-12-3456 is never issued',
    'C++ std::vector, a::b, MAC 00:1A:2B:3C:4D:5E',
    'identifiers getUserAccountDetailsById2 XMLHttpRequest2Handler ThisIsATestString123456789',
    'digests d41d8cd98f00b204e9800998ecf8427e, uuid 550e8400-e29b-41d4-a716-446655440000',
    'path src/components/UserProfile2/index.tsx and an @mention or user@localhost',
    'sk-learn is not a key, nor is lgw_ alone',
    'abc4111111111111111 and 4111111111111111abc are glued to words',
  ])('%s', (text) => {
    expect(found(text)).toEqual([])
  })
})

describe('the scanner', () => {
  it('runs only the detectors asked for', () => {
    const text = 'bob@example.com 4111 1111 1111 1111 123-45-6789'
    expect(found(text, new Set(['card']))).toEqual(['card:4111 1111 1111 1111'])
    expect(found(text, new Set())).toEqual([])
  })

  it('resolves overlaps: the earliest value wins, then the longest', () => {
    expect(found('415-555-0100@example.com')).toEqual(['email:415-555-0100@example.com'])
    expect(found('::ffff:10.0.0.1')).toEqual(['ip:::ffff:10.0.0.1'])
  })

  it('finds every value in a long mixed text, in order', () => {
    const text = Array.from({ length: 200 }, (_, i) => `user${i}@example.com paid with 4111 1111 1111 1111 from 10.0.${i % 250}.1;`).join(' ')
    const kinds = scanPii(text, all).map((s) => s.kind)
    expect(kinds).toHaveLength(600)
    expect(kinds.slice(0, 3)).toEqual(['email', 'card', 'ip'])
  })
})

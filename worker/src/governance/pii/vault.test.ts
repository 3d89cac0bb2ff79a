import { describe, expect, it } from 'vitest'
import type { PiiKind } from './kinds.ts'
import { PiiVault } from './vault.ts'

const kinds = new Set<PiiKind>(['email', 'card'])

describe('the placeholder vault', () => {
  it('numbers values per kind, and the same value keeps its placeholder within the request', () => {
    const vault = new PiiVault()
    const a = vault.redact('bob@example.com and ann@example.com paid with 4111 1111 1111 1111', kinds)
    const b = vault.redact('again bob@example.com', kinds)
    expect(a).toBe('[EMAIL_1] and [EMAIL_2] paid with [CARD_1]')
    expect(b).toBe('again [EMAIL_1]')
    expect(Object.fromEntries(vault.counts)).toEqual({ email: 3, card: 1 })
  })

  it('restores only placeholders it issued, in plain text or JSON-escaped', () => {
    const vault = new PiiVault()
    vault.redact('-----BEGIN EC PRIVATE KEY-----\nAbc1\n-----END EC PRIVATE KEY----- and carol@example.com', new Set(['secret', 'email']))
    expect(vault.restore('to [EMAIL_1], not [EMAIL_2] nor [CARD_1] nor [EMAIL_1')).toBe('to carol@example.com, not [EMAIL_2] nor [CARD_1] nor [EMAIL_1')
    expect(vault.restore('[SECRET_1]', true)).toBe('-----BEGIN EC PRIVATE KEY-----\\nAbc1\\n-----END EC PRIVATE KEY-----')
  })

  it('knows which chunk tails could still become one of its placeholders', () => {
    const vault = new PiiVault()
    vault.redact('bob@example.com', kinds)
    for (const tail of ['[', '[E', '[EMAIL', '[EMAIL_', '[EMAIL_12']) expect(vault.couldStartPlaceholder(tail), tail).toBe(true)
    for (const tail of ['[C', '[CARD_', '[x', '[EMAIL_a', 'E', `[${'A'.repeat(20)}`]) expect(vault.couldStartPlaceholder(tail), tail).toBe(false)
  })

  it('counts without keeping anything, for a block', () => {
    const counts = new Map<PiiKind, number>()
    PiiVault.count('4111 1111 1111 1111 and 5105 1051 0510 5100', kinds, counts)
    expect(Object.fromEntries(counts)).toEqual({ card: 2 })
  })
})

/**
 * Every function that reads client text runs in time proportional to the text's length, whatever
 * the text: each is fed 100 KB and 1 MB of the same adversarial pattern in the same run, and the
 * ratio of the two times must stay near 10 (quadratic code shows ~100). A ratio, never a wall-clock
 * threshold: the machine may be slow or busy, the shape of the curve may not change.
 */
import { describe, expect, it } from 'vitest'
import { scrubSecrets } from '../../lib/scrub.ts'
import { redactForLog, redactText } from '../../telemetry/redact.ts'
import { piiKinds, type PiiKind } from './kinds.ts'
import { restoreCompletion, restoreStream } from './restore-answer.ts'
import { scanPii } from './scan.ts'
import { PiiVault } from './vault.ts'
import { fill, growthRatio } from '../../../test/linear-growth.ts'

/** Linear is 10; allow noise (GC, a busy machine: 35× was seen once under load) but not a curve: quadratic would be ~100. */
const MAX_RATIO = 50

const all = new Set<PiiKind>(piiKinds)

/** Patterns that make naive scanners (a regex retried at every position, nested quantifiers) quadratic or worse. */
export const adversarial: Record<string, string> = {
  'one endless word': 'a',
  'local parts without a domain': `${'a'.repeat(99)}@`,
  'at signs': 'a@',
  'dotted domains that never end': '@a.',
  'single-digit groups': '1 ',
  'card-like groups': '4111 ',
  'phone-like groups': '(1) +1 ',
  'dotted numbers': '1.2.',
  'IBAN starts': 'DE89 ',
  'colons': ':a1',
  'double colons': '1::',
  'key prefixes': 'sk-',
  'mixed-case token': 'Ab1',
  'dotted token parts': 'Ab1x.',
  'PEM headers without an end': '-----BEGIN RSA PRIVATE KEY-----\n',
  'placeholder openings': '[EMAIL_',
  'brackets': '[',
  'bearer words': 'Bearer  ',
  'real values, densely': 'bob@example.com 4111 1111 1111 1111 +1 415-555-0100 10.0.0.1 ',
}

/** A pattern repeated to each size, then prepared (wrapped as the function meets it). */
const ratio = (f: (text: string) => unknown, unit: string, prepare = (text: string) => text) => growthRatio(f, (n) => prepare(fill(unit, n)))

/** Every pattern, in blocks of 10 KB: what a function that wraps the scanner sees at worst. */
const mixed = Object.values(adversarial)
  .map((unit) => fill(unit, 10_000))
  .join(' ')
/** The scanner meets every pattern alone; the functions built on it meet the mixture and the worst few. */
const wrapperCases = { mixed, 'one endless word': 'a', 'real values, densely': adversarial['real values, densely']!, 'single-digit groups': '1 ' }

const functions: Record<string, [(text: string) => unknown, Record<string, string>]> = {
  scanPii: [(text) => scanPii(text, all), { ...adversarial, mixed }],
  'PiiVault.redact': [(text) => new PiiVault().redact(text, all), wrapperCases],
  redactText: [(text) => redactText(text), wrapperCases],
  redactForLog: [(text) => redactForLog(text, 16_384), wrapperCases],
  scrubSecrets: [(text) => scrubSecrets(text), { ...wrapperCases, 'key prefixes': 'sk-', 'bearer words': 'Bearer  ' }],
}

describe('linear time on 1 MB of adversarial input', () => {
  for (const [name, [f, cases]] of Object.entries(functions))
    it.each(Object.entries(cases))(`${name}: %s`, (_, unit) => {
      const r = ratio(f, unit)
      expect(r.ratio, `${name}: ${r.small.toFixed(2)} ms for 100 KB, ${r.large.toFixed(2)} ms for 1 MB`).toBeLessThan(MAX_RATIO)
    })

  it.each(Object.entries(wrapperCases))('restoring an answer: %s', (_, unit) => {
    const vault = new PiiVault()
    vault.redact('bob@example.com 4111 1111 1111 1111', all)
    const r = ratio(
      (raw) => {
        vault.restore(raw)
        restoreCompletion(raw, vault)
      },
      unit,
      (text) => JSON.stringify({ choices: [{ message: { content: text } }] }),
    )
    expect(r.ratio, `${r.small.toFixed(2)} ms for 100 KB, ${r.large.toFixed(2)} ms for 1 MB`).toBeLessThan(MAX_RATIO)
  })

  it('restoring a 1 MB stream whose every chunk ends in a placeholder prefix', async () => {
    const vault = new PiiVault()
    vault.redact('bob@example.com', all)
    const run = async (chunks: number) => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          const event = new TextEncoder().encode(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `${'x'.repeat(80)} [EMAIL_1] [EMAI` } }] })}\n\n`)
          for (let i = 0; i < chunks; i++) c.enqueue(event)
          c.close()
        },
      })
      const t0 = performance.now()
      const reader = restoreStream(body, vault).getReader()
      while (!(await reader.read()).done);
      return performance.now() - t0
    }
    await run(100)
    const small = Math.min(await run(1_000), await run(1_000), await run(1_000))
    const large = Math.min(await run(10_000), await run(10_000))
    expect(large / Math.max(small, 1), `${small.toFixed(1)} ms vs ${large.toFixed(1)} ms`).toBeLessThan(MAX_RATIO)
  })
})

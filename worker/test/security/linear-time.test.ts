/**
 * Defect 2 of the security review, for the text functions this suite's fixes added or touched on
 * the request path (the SSE splitter and first-event check, the JSON depth walk, the URL and header
 * credential checks): each is fed 100 KB and 1 MB of the same adversarial input in one run, and the
 * ratio of the two times must stay near 10 (quadratic code shows ~100), measured as
 * governance/pii/linear-time.test.ts measures the PII scanner, redaction and scrubbing (issue 9),
 * and cache/semantic/text.test.ts the semantic analysis (issue 13): a ratio, never a wall clock.
 */
import { describe, expect, it } from 'vitest'
import { jsonDepthExceeds } from '../../src/lib/json-depth.ts'
import { SseSplitter, sseDataOf } from '../../src/lib/sse.ts'
import { isAuthHeader, redactUrl, urlCredential } from '../../src/policy/provider-credentials.ts'
import { fill, growthRatio } from '../linear-growth.ts'

const MAX_RATIO = 30

const encoder = new TextEncoder()
/** The splitter as the relay drives it: 1 KB chunks of one event that never ends (no blank line). */
const splitInChunks = (text: string) => {
  const splitter = new SseSplitter()
  const bytes = encoder.encode(text)
  for (let i = 0; i < bytes.length; i += 1024) splitter.push(bytes.subarray(i, i + 1024))
  return splitter.end()
}

const cases: [string, (text: string) => unknown, (length: number) => string][] = [
  ['SseSplitter: one endless event in 1 KB chunks', splitInChunks, (n) => `data: ${fill('x', n)}`],
  ['SseSplitter: carriage returns split across chunks', splitInChunks, (n) => fill('data: a\r', n)],
  ['SseSplitter: many small events', splitInChunks, (n) => fill('data: {"a":1}\n\n', n)],
  ['sseDataOf: one event of many lines', sseDataOf, (n) => fill('data: a\n', n)],
  ['jsonDepthExceeds: a flat array', (t) => jsonDepthExceeds(JSON.parse(t)), (n) => `[${fill('0,', n - 2)}0]`],
  ['jsonDepthExceeds: nesting', (t) => jsonDepthExceeds(JSON.parse(t)), (n) => fill('[', n / 2) + fill(']', n / 2)],
  ['urlCredential: a query of many parameters', urlCredential, (n) => `https://x.example/v1?${fill('a=1&', n)}`],
  ['redactUrl: a query of many parameters', redactUrl, (n) => `https://x.example/v1?${fill('a=1&', n)}`],
  ['isAuthHeader: a header name of dashes and words', isAuthHeader, (n) => fill('x-api-', n)],
]

describe('linear time on 1 MB of adversarial input', () => {
  for (const [name, f, make] of cases)
    it(name, () => {
      const r = growthRatio(f, make)
      expect(r.ratio, `${name}: ${r.small.toFixed(2)} ms for 100 KB, ${r.large.toFixed(2)} ms for 1 MB`).toBeLessThan(MAX_RATIO)
    })
})

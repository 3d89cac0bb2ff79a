/**
 * The PII scanner: runs the enabled detectors over a text (each linear in its length) and resolves
 * overlaps — the earliest value wins, then the longest (an e-mail address that starts with a
 * phone number is an e-mail address). No regex runs over the whole text.
 *
 * @example scanPii('mail bob@example.com', new Set(['email'])) // [{ kind: 'email', start: 5, end: 20 }]
 */
import { detectors } from './detectors.ts'
import type { PiiKind, PiiSpan } from './kinds.ts'

export function scanPii(text: string, enabled: ReadonlySet<PiiKind>): PiiSpan[] {
  if (enabled.size === 0 || text.length === 0) return []
  let spans: PiiSpan[] = []
  for (const detector of detectors) {
    if (!detector.kinds.some((k) => enabled.has(k))) continue
    const found: PiiSpan[] = []
    detector.find(text, enabled, found)
    spans = merge(spans, found.filter((s) => enabled.has(s.kind)))
  }
  const out: PiiSpan[] = []
  for (const span of spans) if (out.length === 0 || span.start >= out[out.length - 1]!.end) out.push(span)
  return out
}

/** Two lists sorted by start merged into one (earlier first; on a tie, the longer first): linear. */
function merge(a: PiiSpan[], b: PiiSpan[]): PiiSpan[] {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const out: PiiSpan[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i]!
    const y = b[j]!
    if (x.start < y.start || (x.start === y.start && x.end >= y.end)) out.push(a[i++]!)
    else out.push(b[j++]!)
  }
  while (i < a.length) out.push(a[i++]!)
  while (j < b.length) out.push(b[j++]!)
  return out
}

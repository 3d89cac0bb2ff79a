/**
 * Phone numbers, in the shapes people write them — and not dates, amounts or version numbers:
 *
 * - international: `+` then 8–15 digits in groups (`+44 20 7946 0958`, `+1 (415) 555-0100`);
 * - North American: 3-3-4 digits, optionally after a `1` (`415-555-0100`, `(415) 555-0100`, `1.415.555.0100`);
 * - national with a trunk `0`: 9–11 digits in groups of 2–5 (`020 7946 0958`, `06 12 34 56 78`).
 */
import { digitsOf, openedBy, type Classifier, type DigitRun } from './digit-runs.ts'

const SEPS = new Set([' ', '-', '.', ' (', ') ', ')', '('])
const PLAIN = new Set([' ', '-', '.'])

export const phone: Classifier = (run, from) => international(run, from) ?? northAmerican(run, from) ?? national(run, from)

function international(run: DigitRun, from: number) {
  if (!openedBy(run, from, '+')) return undefined
  let digits = 0
  let best: number | undefined
  for (let to = from; to <= run.last; to++) {
    if (to > from && !SEPS.has(run.seps[to - 1]!)) break
    digits += run.lengths[to]!
    if (digits > 15) break
    if (digits >= 8) best = to
  }
  return best === undefined ? undefined : { kind: 'phone' as const, to: best, withPrefix: true }
}

function northAmerican(run: DigitRun, from: number) {
  // An optional leading country code "1" joined like the rest.
  const lead = run.lengths[from] === 1 && run.text[run.starts[from]!] === '1' && PLAIN.has(run.seps[from] ?? '') ? 1 : 0
  const a = from + lead
  const to = a + 2
  if (to > run.last || run.lengths[a] !== 3 || run.lengths[a + 1] !== 3 || run.lengths[to] !== 4) return undefined
  const [s1, s2] = [run.seps[a]!, run.seps[a + 1]!]
  const parenthesised = openedBy(run, a, '(') && (s1 === ')' || s1 === ') ') && PLAIN.has(s2)
  const uniform = PLAIN.has(s1) && s1 === s2 && (lead === 0 || run.seps[from] === s1)
  if (!parenthesised && !uniform) return undefined
  if (to < run.starts.length - 1 && run.seps[to] === s2) return undefined // a longer chain: not a phone number
  return { kind: 'phone' as const, to, withPrefix: parenthesised && lead === 0 }
}

function national(run: DigitRun, from: number) {
  if (run.text[run.starts[from]!] !== '0' || run.lengths[from]! < 2) return undefined
  let digits = 0
  let best: number | undefined
  for (let to = from; to <= run.last; to++) {
    if (run.lengths[to]! < 2 || run.lengths[to]! > 5) break
    if (to > from && (!PLAIN.has(run.seps[to - 1]!) || run.seps[to - 1] !== run.seps[from])) break
    digits += run.lengths[to]!
    if (digits > 11) break
    if (digits >= 9 && to > from) best = to
  }
  if (best === undefined || digitsOf(run, from, best).startsWith('00')) return undefined
  return { kind: 'phone' as const, to: best }
}

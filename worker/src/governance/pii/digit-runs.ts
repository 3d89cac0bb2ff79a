/**
 * Numbers: payment cards, US SSNs, phone numbers and IPv4 addresses, found in one pass over "digit
 * runs" — digit groups joined by one or two separator characters (`415-555-0100`, `(415) 555 0100`,
 * `4111 1111 1111 1111`, `10.0.0.1`). Each run is read once; within it, each group is tried as the
 * start of a match by the classifiers in order, each of which looks at a bounded number of digits
 * (≤ 19), so the whole is linear. A run glued to a word (`abc123`, `123abc`) is not a value on its own.
 */
import { card } from './card.ts'
import { isDigit, isWord } from './chars.ts'
import { ipv4 } from './ipv4.ts'
import type { Detector, PiiKind } from './kinds.ts'
import { phone } from './phone.ts'
import { ssn } from './ssn.ts'

/** A run of digit groups; `seps[i]` is the text between `groups[i]` and `groups[i + 1]`. */
export interface DigitRun {
  text: string
  /** `+` or `(` just before the first group, if any. */
  prefix: '' | '+' | '('
  /** Start offsets and lengths of each digit group. */
  starts: number[]
  lengths: number[]
  seps: string[]
  /** Index of the last group a match may use (the final group is excluded when glued to a word). */
  last: number
}

/** A match: groups `from..to` of the run. */
export interface RunMatch {
  kind: PiiKind
  to: number
  /** Include the character before the first group (`+`, `(`). */
  withPrefix?: boolean
}

export type Classifier = (run: DigitRun, from: number) => RunMatch | undefined

/** In precedence order: the most specific shapes first. */
const classifiers: readonly [PiiKind, Classifier][] = [
  ['ip', ipv4],
  ['ssn', ssn],
  ['card', card],
  ['phone', phone],
]

const isSep = (c: number): boolean => c === 32 || c === 45 || c === 46 || c === 40 || c === 41 || c === 47

export const digitRuns: Detector = {
  kinds: ['card', 'ssn', 'phone', 'ip'],
  find(text, enabled, out) {
    const active = classifiers.filter(([kind]) => enabled.has(kind)).map(([, classify]) => classify)
    if (active.length === 0) return
    const n = text.length
    let i = 0
    while (i < n) {
      const c = text.charCodeAt(i)
      const opener = (c === 43 || c === 40) && isDigit(text.charCodeAt(i + 1))
      if (!isDigit(c) && !opener) {
        i++
        continue
      }
      if (i > 0 && isWord(text.charCodeAt(i - 1))) {
        while (i < n && isWord(text.charCodeAt(i))) i++ // inside a word: not a number of its own
        continue
      }
      const run: DigitRun = { text, prefix: opener ? (c === 43 ? '+' : '(') : '', starts: [], lengths: [], seps: [], last: 0 }
      if (opener) i++
      for (;;) {
        const start = i
        while (i < n && isDigit(text.charCodeAt(i))) i++
        run.starts.push(start)
        run.lengths.push(i - start)
        let j = i
        while (j < n && j - i < 2 && isSep(text.charCodeAt(j))) j++
        if (j === i || !isDigit(text.charCodeAt(j))) break
        run.seps.push(text.slice(i, j))
        i = j
      }
      const glued = i < n && isWord(text.charCodeAt(i))
      run.last = run.starts.length - (glued ? 2 : 1)
      classify(run, active, out)
      if (glued) while (i < n && isWord(text.charCodeAt(i))) i++
    }
  },
}

function classify(run: DigitRun, active: readonly Classifier[], out: Parameters<Detector['find']>[2]): void {
  for (let from = 0; from <= run.last; ) {
    let match: RunMatch | undefined
    for (const classify of active) if ((match = classify(run, from))) break
    if (!match) {
      from++
      continue
    }
    const start = run.starts[from]! - (match.withPrefix ? 1 : 0)
    out.push({ kind: match.kind, start, end: run.starts[match.to]! + run.lengths[match.to]! })
    from = match.to + 1
  }
}

/** The digits of groups `from..to`, joined. */
export function digitsOf(run: DigitRun, from: number, to: number): string {
  let s = ''
  for (let g = from; g <= to; g++) s += run.text.slice(run.starts[g], run.starts[g]! + run.lengths[g]!)
  return s
}

/** Whether the character before group `from` is `c` (the run's prefix, or the end of the separator). */
export function openedBy(run: DigitRun, from: number, c: '+' | '('): boolean {
  return from === 0 ? run.prefix === c : run.seps[from - 1]!.endsWith(c)
}

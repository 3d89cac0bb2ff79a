/**
 * Payment card numbers: 13–19 digits, in one group or in groups joined by the same single space or
 * hyphen, starting with a card network's first digit (2–6), and passing the Luhn check — so order
 * numbers and timestamps of the same length are left alone. The longest valid window wins.
 */
import type { Classifier } from './digit-runs.ts'

export const card: Classifier = (run, from) => {
  const first = run.text.charCodeAt(run.starts[from]!)
  if (first < 50 || first > 54) return undefined // 2–6
  let digits = 0
  let sep: string | undefined
  let best: number | undefined
  for (let to = from; to <= run.last; to++) {
    if (to > from) {
      const s = run.seps[to - 1]!
      if ((s !== ' ' && s !== '-') || (sep !== undefined && s !== sep)) break
      sep = s
    }
    digits += run.lengths[to]!
    if (digits > 19) break
    if (digits >= 13 && luhn(run.text, run.starts, run.lengths, from, to)) best = to
  }
  return best === undefined ? undefined : { kind: 'card', to: best }
}

/** The Luhn checksum over the digits of groups `from..to`, read right to left across groups. */
export function luhn(text: string, starts: readonly number[], lengths: readonly number[], from: number, to: number): boolean {
  let sum = 0
  let odd = false
  for (let g = to; g >= from; g--) {
    for (let i = starts[g]! + lengths[g]! - 1; i >= starts[g]!; i--) {
      let d = text.charCodeAt(i) - 48
      if (odd) {
        d *= 2
        if (d > 9) d -= 9
      }
      sum += d
      odd = !odd
    }
  }
  return sum % 10 === 0
}

/**
 * US Social Security numbers: `123-45-6789` (or with spaces), never a longer chain of such groups,
 * and never a number the SSA does not issue (area 000, 666 or 9xx; group 00; serial 0000).
 */
import type { Classifier } from './digit-runs.ts'

export const ssn: Classifier = (run, from) => {
  const to = from + 2
  if (to > run.last) return undefined
  const [a, b, c] = [run.lengths[from], run.lengths[from + 1], run.lengths[to]]
  const sep = run.seps[from]!
  if (a !== 3 || b !== 2 || c !== 4 || (sep !== '-' && sep !== ' ') || run.seps[from + 1] !== sep) return undefined
  // Not part of a longer chain joined the same way (a part number, a date range…).
  if ((from > 0 && run.seps[from - 1] === sep) || (to < run.starts.length - 1 && run.seps[to] === sep)) return undefined
  const text = run.text
  const area = text.slice(run.starts[from], run.starts[from]! + 3)
  if (area === '000' || area === '666' || area[0] === '9') return undefined
  if (text.slice(run.starts[from + 1], run.starts[from + 1]! + 2) === '00') return undefined
  if (text.slice(run.starts[to], run.starts[to]! + 4) === '0000') return undefined
  return { kind: 'ssn', to }
}

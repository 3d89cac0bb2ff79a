/** IPv4 addresses: four dot-separated decimal parts (validated by ipaddr.js), not part of a longer dotted chain. */
import ipaddr from 'ipaddr.js'
import type { Classifier } from './digit-runs.ts'

export const ipv4: Classifier = (run, from) => {
  const to = from + 3
  if (to > run.last) return undefined
  for (let g = from; g < to; g++) if (run.seps[g] !== '.' || run.lengths[g]! > 3) return undefined
  if (run.lengths[to]! > 3) return undefined
  if ((from > 0 && run.seps[from - 1] === '.') || (to < run.starts.length - 1 && run.seps[to] === '.')) return undefined
  const candidate = run.text.slice(run.starts[from], run.starts[to]! + run.lengths[to]!)
  return ipaddr.IPv4.isValidFourPartDecimal(candidate) ? { kind: 'ip', to } : undefined
}

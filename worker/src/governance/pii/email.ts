/**
 * E-mail addresses: found from each `@`, scanning left over the local part and right over the
 * domain. Linear: `@` belongs to neither class, so a left scan never passes the previous `@` (nor
 * the previous match), a right scan never passes the next one — each character is read at most
 * twice, whatever the input.
 */
import { isAlnum } from './chars.ts'
import type { Detector } from './kinds.ts'

const MAX_LOCAL = 64
const MAX_DOMAIN = 253

// . _ % + -
const isLocal = (c: number): boolean => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45
const isDomain = (c: number): boolean => isAlnum(c) || c === 45 || c === 46

export const email: Detector = {
  kinds: ['email'],
  find(text, _enabled, out) {
    let floor = 0
    for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
      let start = at
      while (start > floor && isLocal(text.charCodeAt(start - 1))) start--
      while (start < at && text.charCodeAt(start) === 46) start++ // a local part never starts with "."
      if (start === at || at - start > MAX_LOCAL || text.charCodeAt(at - 1) === 46) continue

      let end = at + 1
      while (end < text.length && isDomain(text.charCodeAt(end))) end++
      // Sentence punctuation after the address is not part of it.
      while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--
      if (end - at - 1 > MAX_DOMAIN || !validDomain(text, at + 1, end)) continue
      out.push({ kind: 'email', start, end })
      floor = end
    }
  },
}

/** At least two labels, none empty or edged with "-", and an alphabetic TLD of two or more letters. */
function validDomain(text: string, from: number, to: number): boolean {
  let labels = 0
  let labelStart = from
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 46) continue
    if (i === labelStart || text.charCodeAt(labelStart) === 45 || text.charCodeAt(i - 1) === 45) return false
    labels++
    if (i === to) {
      if (i - labelStart < 2) return false
      for (let j = labelStart; j < i; j++) if (!isAlnum(text.charCodeAt(j)) || text.charCodeAt(j) <= 57) return false
    }
    labelStart = i + 1
  }
  return labels >= 2
}

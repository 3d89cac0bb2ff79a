/**
 * IBANs: a country code and two check digits at the start of a word, then the country's exact
 * length of letters and digits (groups of four separated by single spaces allowed), validated by
 * ibantools (country format and the mod-97 checksum). Linear: candidates (found by a fixed-length
 * pattern) start only at a word start and read at most 34 characters plus their spaces.
 */
import { getCountrySpecifications, isValidIBAN } from 'ibantools'
import { isAlnum, isDigit, isUpper } from './chars.ts'
import type { Detector } from './kinds.ts'

const lengths = new Map<string, number>()
for (const [code, spec] of Object.entries(getCountrySpecifications())) if (spec.chars) lengths.set(code, spec.chars)

const isIbanChar = (c: number): boolean => isUpper(c) || isDigit(c)

/** Where a candidate may start: fixed length, no quantifier, so each position costs O(1) (linear). */
const start = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}/g

export const iban: Detector = {
  kinds: ['iban'],
  find(text, _enabled, out) {
    const n = text.length
    const starts = new RegExp(start)
    for (let m = starts.exec(text); m; m = starts.exec(text)) {
      const i = m.index
      const length = lengths.get(text.slice(i, i + 2))
      if (!length) continue
      let electronic = ''
      let j = i
      while (j < n && electronic.length < length) {
        const c = text.charCodeAt(j)
        if (isIbanChar(c)) {
          electronic += text[j]
          j++
        } else if (c === 32 && electronic.length % 4 === 0 && isIbanChar(text.charCodeAt(j + 1))) j++
        else break
      }
      if (electronic.length !== length || (j < n && isAlnum(text.charCodeAt(j))) || !isValidIBAN(electronic)) continue
      out.push({ kind: 'iban', start: i, end: j })
      starts.lastIndex = j
    }
  },
}

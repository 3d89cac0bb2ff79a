/**
 * IBANs: a country code and two check digits at the start of a word, then the country's exact
 * length of letters and digits (groups of four separated by single spaces allowed), validated by
 * ibantools (country format and the mod-97 checksum). Linear: a candidate starts only at a word
 * start and reads at most 34 characters plus their spaces.
 */
import { getCountrySpecifications, isValidIBAN } from 'ibantools'
import { isAlnum, isDigit, isUpper } from './chars.ts'
import type { Detector } from './kinds.ts'

const lengths = new Map<string, number>()
for (const [code, spec] of Object.entries(getCountrySpecifications())) if (spec.chars) lengths.set(code, spec.chars)

const isIbanChar = (c: number): boolean => isUpper(c) || isDigit(c)

export const iban: Detector = {
  kinds: ['iban'],
  find(text, _enabled, out) {
    const n = text.length
    for (let i = 0; i + 3 < n; i++) {
      if (!isUpper(text.charCodeAt(i)) || !isUpper(text.charCodeAt(i + 1)) || !isDigit(text.charCodeAt(i + 2)) || !isDigit(text.charCodeAt(i + 3))) continue
      if (i > 0 && isAlnum(text.charCodeAt(i - 1))) continue
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
      i = j - 1
    }
  },
}

/**
 * IPv6 addresses (full, compressed, with an embedded IPv4 or a zone), validated by ipaddr.js.
 * Candidates are the text's maximal runs of word characters, `:`, `.` and `%` — disjoint, so each
 * character is read once — that contain two or more colons and at least four hex digits (so `a::b`
 * in code or `12:30:45` are not addresses).
 */
import ipaddr from 'ipaddr.js'
import { isHex, isWord } from './chars.ts'
import type { Detector } from './kinds.ts'

const MAX_LENGTH = 64
const isRunChar = (c: number): boolean => isWord(c) || c === 58 || c === 46 || c === 37

export const ipv6: Detector = {
  kinds: ['ip'],
  find(text, _enabled, out) {
    const n = text.length
    let i = 0
    while (i < n) {
      if (!isRunChar(text.charCodeAt(i))) {
        i++
        continue
      }
      const start = i
      let colons = 0
      let hex = 0
      while (i < n && isRunChar(text.charCodeAt(i))) {
        const c = text.charCodeAt(i)
        if (c === 58) colons++
        else if (isHex(c)) hex++
        i++
      }
      if (colons < 2 || hex < 4 || i - start > MAX_LENGTH) continue
      let end = i
      while (end > start && text.charCodeAt(end - 1) === 46) end-- // a full stop after the address
      const candidate = text.slice(start, end)
      if (ipaddr.IPv6.isValid(candidate)) out.push({ kind: 'ip', start, end })
    }
  },
}

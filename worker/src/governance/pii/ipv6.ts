/**
 * IPv6 addresses (full, compressed, with an embedded IPv4 or a zone), validated by ipaddr.js.
 * Candidates are the text's maximal runs of word characters, `:`, `.` and `%` around a colon —
 * disjoint, so each character is read at most twice (once going left from the run's first colon) —
 * that contain two or more colons and at least four hex digits (so `a::b` in code or `12:30:45` are
 * not addresses).
 */
import ipaddr from 'ipaddr.js'
import { isHex, isWord } from './chars.ts'
import type { Detector } from './kinds.ts'

const MAX_LENGTH = 64
const isRunChar = (c: number): boolean => isWord(c) || c === 58 || c === 46 || c === 37

export const ipv6: Detector = {
  kinds: ['ip'],
  find(text, _enabled, out) {
    // From each colon (found natively), the run around it; the next search starts after the run.
    for (let colon = text.indexOf(':'); colon >= 0; ) {
      let start = colon
      while (start > 0 && isRunChar(text.charCodeAt(start - 1))) start--
      let i = colon
      let colons = 0
      let hex = 0
      for (let j = start; j < colon; j++) if (isHex(text.charCodeAt(j))) hex++
      while (i < text.length && isRunChar(text.charCodeAt(i))) {
        const c = text.charCodeAt(i)
        if (c === 58) colons++
        else if (isHex(c)) hex++
        i++
      }
      colon = text.indexOf(':', i)
      if (colons < 2 || hex < 4 || i - start > MAX_LENGTH) continue
      let end = i
      while (end > start && text.charCodeAt(end - 1) === 46) end-- // a full stop after the address
      if (ipaddr.IPv6.isValid(text.slice(start, end))) out.push({ kind: 'ip', start, end })
    }
  },
}

/**
 * Secrets and API keys: tokens that start with a known provider prefix (OpenAI, Anthropic, Groq,
 * AWS, GitHub, Slack, Google, Stripe, Hugging Face, GitLab, this gateway's own `lgw_`), JSON Web
 * Tokens, PEM private keys, and high-entropy tokens (24+ characters mixing upper and lower case and
 * digits, ≥ 3.8 bits of entropy per character and not word-like). Tokens are the text's maximal runs of
 * `[A-Za-z0-9_+/=.-]` — disjoint, so each character is read once; a PEM block is found by `-----BEGIN`
 * and the next `-----END` (that search only ever moves forward).
 */
import { isAlnum, isDigit, isLower, isUpper } from './chars.ts'
import type { Detector, PiiSpan } from './kinds.ts'

/** Prefix → the fewest characters that must follow it. */
const prefixes: readonly [string, number][] = [
  ['sk-ant-', 16],
  ['sk-proj-', 16],
  ['sk-', 16],
  ['gsk_', 16],
  ['lgw_', 8],
  ['ghp_', 20],
  ['gho_', 20],
  ['ghu_', 20],
  ['ghs_', 20],
  ['ghr_', 20],
  ['github_pat_', 20],
  ['glpat-', 16],
  ['xoxb-', 10],
  ['xoxp-', 10],
  ['xoxa-', 10],
  ['xoxr-', 10],
  ['xoxs-', 10],
  ['AIza', 30],
  ['sk_live_', 16],
  ['rk_live_', 16],
  ['sk_test_', 16],
  ['hf_', 24],
]
const awsKeyId = /^(?:AKIA|ASIA)[A-Z0-9]{16}$/

const MIN_ENTROPY_LENGTH = 24
const MIN_TOKEN_LENGTH = Math.min(...prefixes.map(([p, rest]) => p.length + rest))
const MAX_ENTROPY_LENGTH = 512
const MIN_BITS_PER_CHAR = 3.8
const MAX_MEAN_SEGMENT = 3

// _ - + / = .
const isTokenChar = (c: number): boolean => isAlnum(c) || c === 95 || c === 45 || c === 43 || c === 47 || c === 61 || c === 46

export const secret: Detector = {
  kinds: ['secret'],
  find(text, _enabled, out) {
    const pem = pemBlocks(text)
    let p = 0
    const n = text.length
    let i = 0
    while (i < n) {
      if (!isTokenChar(text.charCodeAt(i))) {
        i++
        continue
      }
      const start = i
      while (i < n && isTokenChar(text.charCodeAt(i))) i++
      let end = i
      while (end > start && text.charCodeAt(end - 1) === 46) end-- // a full stop after the token
      // PEM blocks and tokens are both in text order: emit whichever comes first.
      while (p < pem.length && pem[p]!.start < start) out.push(pem[p++]!)
      if (out.length > 0 && out[out.length - 1]!.end > start) continue // inside a PEM block
      // Shorter than any rule's minimum (`lgw_` + 8): most words of prose, never sliced.
      if (end - start >= MIN_TOKEN_LENGTH && isSecretToken(text.slice(start, end))) out.push({ kind: 'secret', start, end })
    }
    while (p < pem.length) out.push(pem[p++]!)
  },
}

export function isSecretToken(token: string): boolean {
  for (const [prefix, rest] of prefixes) if (token.startsWith(prefix)) return token.length - prefix.length >= rest
  if (awsKeyId.test(token)) return true
  if (isJwt(token)) return true
  // High entropy: judged on each dot-separated part (a file name or a sentence glued by dots is not a key).
  let from = 0
  for (let i = 0; i <= token.length; i++) {
    if (i < token.length && token.charCodeAt(i) !== 46) continue
    if (highEntropy(token, from, i)) return true
    from = i + 1
  }
  return false
}

function isJwt(token: string): boolean {
  if (!token.startsWith('eyJ')) return false
  const parts = token.split('.')
  return parts.length === 3 && parts.every((p) => p.length >= 8)
}

const counts = new Uint16Array(128)

function highEntropy(token: string, from: number, to: number): boolean {
  const length = to - from
  if (length < MIN_ENTROPY_LENGTH || length > MAX_ENTROPY_LENGTH) return false
  let upper = false
  let lower = false
  let digit = false
  let slashes = 0
  for (let i = from; i < to; i++) {
    const c = token.charCodeAt(i)
    upper ||= isUpper(c)
    lower ||= isLower(c)
    digit ||= isDigit(c)
    if (c === 47) slashes++
  }
  // A path (`src/a/b/c`) is not a key; base64 keys carry a slash or two at most.
  if (!upper || !lower || !digit || slashes > 3) return false
  for (let i = from; i < to; i++) counts[token.charCodeAt(i)] = 0
  for (let i = from; i < to; i++) counts[token.charCodeAt(i)]!++
  let bits = 0 // Shannon entropy per character
  for (let i = from; i < to; i++) {
    const k = counts[token.charCodeAt(i)]!
    if (k === 0) continue
    const p = k / length
    bits -= p * Math.log2(p)
    counts[token.charCodeAt(i)] = 0 // each distinct character once
  }
  return bits >= MIN_BITS_PER_CHAR && meanSegmentLength(token, from, to) <= MAX_MEAN_SEGMENT
}

/**
 * How word-like a token reads: the mean length of its camel-case segments (`get` `User` `Account`
 * `2`: identifiers ≈ 3.5–5; random keys ≈ 1.5–2.5). Entropy alone cannot tell `getUserAccountById2`
 * from a key; this can.
 */
function meanSegmentLength(token: string, from: number, to: number): number {
  let segments = 0
  let i = from
  while (i < to) {
    const c = token.charCodeAt(i)
    segments++
    if (isDigit(c)) while (i < to && isDigit(token.charCodeAt(i))) i++
    else if (isLower(c)) while (i < to && isLower(token.charCodeAt(i))) i++
    else if (isUpper(c)) {
      if (isLower(token.charCodeAt(i + 1))) for (i++; i < to && isLower(token.charCodeAt(i)); ) i++
      // An acronym: upper case up to (not including) the capital that starts the next word.
      else while (i < to && isUpper(token.charCodeAt(i)) && !(i + 1 < to && isLower(token.charCodeAt(i + 1)))) i++
    } else i++
  }
  return (to - from) / segments
}

/** `-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----`, in text order. */
function pemBlocks(text: string): PiiSpan[] {
  const blocks: PiiSpan[] = []
  let nextEnd = -1
  for (let begin = text.indexOf('-----BEGIN '); begin >= 0; begin = text.indexOf('-----BEGIN ', begin + 1)) {
    const header = text.slice(begin, begin + 80)
    const close = header.indexOf('-----', 11)
    if (close < 0 || !header.slice(0, close).endsWith('PRIVATE KEY')) continue
    if (nextEnd < begin) nextEnd = text.indexOf('-----END ', begin)
    if (nextEnd < 0) break
    const tail = text.slice(nextEnd, nextEnd + 80)
    const tailClose = tail.indexOf('-----', 9)
    if (tailClose < 0) continue
    const end = nextEnd + tailClose + 5
    blocks.push({ kind: 'secret', start: begin, end })
    begin = end - 1
  }
  return blocks
}

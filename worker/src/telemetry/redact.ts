/**
 * Redaction for the text telemetry may keep: prompts and answers of projects that opted in, and
 * end-user ids. PII values never reach the event — each is replaced by its kind (`[email]`) —
 * and credentials are masked as everywhere else. Regexes are compiled once per isolate.
 */
import { scrubSecrets } from '../lib/scrub.ts'

export type PiiKind = 'email' | 'card' | 'iban' | 'ssn' | 'phone'

const patterns: readonly [PiiKind, RegExp][] = [
  ['email', /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g],
  // Cards are checked with Luhn below, so order numbers and timestamps survive.
  ['card', /\b\d(?:[ -]?\d){12,18}\b/g],
  ['iban', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g],
  ['ssn', /\b\d{3}-\d{2}-\d{4}\b/g],
  // Three or four digit groups standing alone: not part of a longer run of numbers.
  ['phone', /(?<![\w+]|\d[ .-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}(?![ .-]?\d)/g],
]

export interface Redacted {
  text: string
  /** The kinds found, each once, in a stable order. */
  kinds: PiiKind[]
}

export function redactText(input: string): Redacted {
  const found = new Set<PiiKind>()
  let text = scrubSecrets(input)
  for (const [kind, pattern] of patterns) {
    text = text.replace(pattern, (match) => {
      if (kind === 'card' && !luhn(match)) return match
      found.add(kind)
      return `[${kind}]`
    })
  }
  return { text, kinds: patterns.map(([k]) => k).filter((k) => found.has(k)) }
}

/** Truncates after redacting, so a cut never exposes half of a value. */
export function redactForLog(input: string, maxChars: number): string {
  const { text } = redactText(input)
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`
}

/**
 * An end-user id (OpenAI's `user` field) as telemetry keeps it: opaque ids as given; an id that is
 * itself PII (an email, a phone number) is redacted like any text — even a hash of an email can be
 * reversed by guessing, so none is kept.
 */
export function telemetryUserId(user: string | undefined): string | null {
  if (!user) return null
  return redactText(user.slice(0, 128)).text
}

function luhn(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '')
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return digits.length >= 13 && sum % 10 === 0
}

/**
 * Redaction for the text telemetry may keep: prompts and answers of projects that opted in, and
 * end-user ids. PII values never reach the event — each is replaced by its kind (`[email]`) — and
 * credentials are masked as everywhere else. Built on the guard's PII scanner, which runs in time
 * linear in the text; the text is also cut to what can be kept before it is scanned at all.
 */
import { piiKinds, type PiiKind } from '../governance/pii/kinds.ts'
import { scanPii } from '../governance/pii/scan.ts'
import { scrubSecrets } from '../lib/scrub.ts'

export type { PiiKind }

const ALL_KINDS: ReadonlySet<PiiKind> = new Set(piiKinds)
/**
 * Scanned beyond the kept length, so a value that starts before the cut is seen whole (the longest
 * values — PEM keys, long tokens — are still caught in part: their pieces are secrets too).
 */
const SCAN_MARGIN = 4096

export interface Redacted {
  text: string
  /** The kinds found, each once, in a stable order. */
  kinds: PiiKind[]
}

export function redactText(input: string): Redacted {
  const spans = scanPii(input, ALL_KINDS)
  const found = new Set<PiiKind>()
  let text = ''
  let at = 0
  for (const span of spans) {
    text += `${input.slice(at, span.start)}[${span.kind}]`
    at = span.end
    found.add(span.kind)
  }
  text += input.slice(at)
  // Defence in depth: credential shapes the scanner does not judge secret (a short `Bearer` token).
  return { text: scrubSecrets(text), kinds: piiKinds.filter((k) => found.has(k)) }
}

/** Truncates after redacting, so a cut never exposes half of a value. */
export function redactForLog(input: string, maxChars: number): string {
  const { text } = redactText(input.length > maxChars + SCAN_MARGIN ? input.slice(0, maxChars + SCAN_MARGIN) : input)
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

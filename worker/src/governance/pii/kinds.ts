/**
 * What the PII scanner finds, as data: the kinds (each with its placeholder tag) and a span of text.
 * Values never leave the request: telemetry and the caller see kinds and counts only.
 */

export const piiKinds = ['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'secret'] as const
export type PiiKind = (typeof piiKinds)[number]

/** The tag in a placeholder: `[EMAIL_1]`. */
export const placeholderTag: Record<PiiKind, string> = {
  email: 'EMAIL',
  phone: 'PHONE',
  card: 'CARD',
  iban: 'IBAN',
  ssn: 'SSN',
  ip: 'IP',
  secret: 'SECRET',
}

/** A value found in a text: `text.slice(start, end)`. */
export interface PiiSpan {
  kind: PiiKind
  start: number
  end: number
}

/**
 * One detector: appends the spans it finds, in increasing order of `start`, without overlaps of its
 * own. Each runs in time linear in the text's length (see each file for why), so a scan is too.
 */
export interface Detector {
  kinds: readonly PiiKind[]
  find(text: string, enabled: ReadonlySet<PiiKind>, out: PiiSpan[]): void
}

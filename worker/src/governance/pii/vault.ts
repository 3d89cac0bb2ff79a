/**
 * One request's placeholders: each distinct value found becomes `[EMAIL_1]`, `[CARD_2]`… (the same
 * value always the same placeholder, within the request), and `restore` puts the originals back
 * into an answer. Lives only as long as the request; values never leave it.
 *
 * @example
 * const vault = new PiiVault()
 * vault.redact('mail bob@example.com', new Set(['email'])) // 'mail [EMAIL_1]'
 * vault.restore('Sent to [EMAIL_1].')                     // 'Sent to bob@example.com.'
 */
import { placeholderTag, type PiiKind, type PiiSpan } from './kinds.ts'
import { scanPii } from './scan.ts'

/** The longest placeholder: `[` + the longest tag + `_` + up to 8 digits + `]`. */
export const MAX_PLACEHOLDER_LENGTH = 1 + 6 + 1 + 8 + 1

export class PiiVault {
  private readonly byValue = new Map<string, string>()
  private readonly byPlaceholder = new Map<string, string>()
  /** Occurrences redacted, by kind (a repeated value counts each time). */
  readonly counts = new Map<PiiKind, number>()
  private readonly numbering = new Map<PiiKind, number>()

  get size(): number {
    return this.byPlaceholder.size
  }

  /** The text with every value of an enabled kind replaced by its placeholder. */
  redact(text: string, kinds: ReadonlySet<PiiKind>): string {
    return this.replace(text, scanPii(text, kinds))
  }

  /** The text with each span (from `scanPii` on this text) replaced by its value's placeholder. */
  replace(text: string, spans: readonly PiiSpan[]): string {
    if (spans.length === 0) return text
    let out = ''
    let at = 0
    for (const span of spans) {
      out += text.slice(at, span.start) + this.placeholderFor(span.kind, text.slice(span.start, span.end))
      at = span.end
    }
    return out + text.slice(at)
  }

  /** Kinds found in a text, with how often, without keeping anything (for `block`). */
  static count(text: string, kinds: ReadonlySet<PiiKind>, into: Map<PiiKind, number>): void {
    for (const span of scanPii(text, kinds)) into.set(span.kind, (into.get(span.kind) ?? 0) + 1)
  }

  private placeholderFor(kind: PiiKind, value: string): string {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1)
    let placeholder = this.byValue.get(value)
    if (!placeholder) {
      const n = (this.numbering.get(kind) ?? 0) + 1
      this.numbering.set(kind, n)
      placeholder = `[${placeholderTag[kind]}_${n}]`
      this.byValue.set(value, placeholder)
      this.byPlaceholder.set(placeholder, value)
    }
    return placeholder
  }

  /** The value a placeholder stands for, or undefined for one this request never issued. */
  valueOf(placeholder: string): string | undefined {
    return this.byPlaceholder.get(placeholder)
  }

  /**
   * Every placeholder this request issued replaced by its value; `json: true` escapes the values for
   * insertion inside a JSON string. One pass: each `[` is looked at once, over at most a placeholder's length.
   */
  restore(text: string, json = false): string {
    if (this.byPlaceholder.size === 0) return text
    let out = ''
    let at = 0
    for (let open = text.indexOf('['); open >= 0; open = text.indexOf('[', open + 1)) {
      const close = placeholderEnd(text, open)
      if (close < 0) continue
      const value = this.byPlaceholder.get(text.slice(open, close))
      if (value === undefined) continue
      out += text.slice(at, open) + (json ? JSON.stringify(value).slice(1, -1) : value)
      at = close
      open = close - 1
    }
    return at === 0 ? text : out + text.slice(at)
  }

  /**
   * Whether `tail` (the text a chunk ends with, from a `[`) could be the start of a placeholder this
   * request issued: `[EM`, `[EMAIL_`, `[EMAIL_1`. Constant time: checked against the tags in use.
   */
  couldStartPlaceholder(tail: string): boolean {
    if (tail.length === 0 || tail.length >= MAX_PLACEHOLDER_LENGTH || tail.charCodeAt(0) !== 91) return false
    const underscore = tail.indexOf('_')
    const tag = underscore < 0 ? tail.slice(1) : tail.slice(1, underscore)
    if (!/^[A-Z]*$/.test(tag) || (underscore >= 0 && !/^\d*$/.test(tail.slice(underscore + 1)))) return false
    for (const kind of this.numbering.keys()) {
      const used = placeholderTag[kind]
      if (underscore < 0 ? used.startsWith(tag) : used === tag) return true
    }
    return false
  }
}

/** The end (exclusive) of a well-formed placeholder starting at `open`, or -1. */
export function placeholderEnd(text: string, open: number): number {
  let i = open + 1
  const limit = Math.min(text.length, open + MAX_PLACEHOLDER_LENGTH)
  while (i < limit && text.charCodeAt(i) >= 65 && text.charCodeAt(i) <= 90) i++
  if (i === open + 1 || text.charCodeAt(i) !== 95) return -1
  const digits = ++i
  while (i < limit && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++
  if (i === digits || text.charCodeAt(i) !== 93) return -1
  return i + 1
}

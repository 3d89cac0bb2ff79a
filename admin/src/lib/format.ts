/** How numbers, money, durations and times read on the admin site. */

const int = new Intl.NumberFormat('en-US')
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

export const count = (n: number): string => (Math.abs(n) >= 100_000 ? compact.format(n) : int.format(n))

/** Dollars with enough precision for fractions of a cent: $12.34, $0.0421, $0.000135. */
export function usd(n: number, significant = 3): string {
  if (n === 0) return '$0.00'
  const abs = Math.abs(n)
  if (abs >= 1) return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
  if (abs >= 0.01) return `$${n.toFixed(4)}`
  // Fixed notation, never `1.5e-7`: Number(...) drops trailing zeros, toFixed keeps the digits.
  const digits = Math.max(0, significant - 1 - Math.floor(Math.log10(abs)))
  return `$${Number(n.toPrecision(significant)).toFixed(Math.min(digits, 12))}`
}

/** For headline numbers: two significant digits below a cent. */
export const usdShort = (n: number): string => usd(n, 2)

export const pct = (ratio: number | null, digits = 1): string => (ratio === null ? '—' : `${(ratio * 100).toFixed(digits)}%`)

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`
  if (value >= 1_000) return `${(value / 1000).toFixed(2)} s`
  if (value >= 100) return `${Math.round(value)} ms`
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`
}

const time = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
const dateTime = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })

export const clock = (t: number): string => time.format(t)
export const when = (t: number): string => dateTime.format(t)

export function ago(t: number | null, now = Date.now()): string {
  if (t === null) return 'never'
  const s = Math.max(0, Math.round((now - t) / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.round(s / 60)}m ago`
  if (s < 86_400) return `${Math.round(s / 3600)}h ago`
  return `${Math.round(s / 86_400)}d ago`
}

/** Two latencies in one unit, compact: `2.0 / 29 ms`, `0.85 / 2.4 s`. */
export function msPair(a: number | null, b: number | null): string {
  if (a === null || b === null) return '—'
  const seconds = Math.max(a, b) >= 1_000
  const short = (v: number) => {
    const x = seconds ? v / 1000 : v
    return x >= 10 ? String(Math.round(x)) : x >= 1 || !seconds ? x.toFixed(1) : x.toFixed(2)
  }
  return `${short(a)} / ${short(b)} ${seconds ? 's' : 'ms'}`
}

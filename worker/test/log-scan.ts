/**
 * Setup file of every workerd test file: captures every line the gateway (and its Durable Objects,
 * queue consumer and cron, all in this isolate) writes to the console, and after the file's tests
 * scans them for key material — the fake providers' keys, any `lgw_…` gateway key, `sk-…`/`gsk_…`
 * provider keys, bearer tokens, the Upstash token, private keys. One hit fails the file.
 */
import { env } from 'cloudflare:test'
import { afterAll, expect } from 'vitest'

const vars = env as unknown as Record<string, unknown>
const exact = ['FAKE_OPENAI_KEY', 'FAKE_ANTHROPIC_KEY', 'FAKE_GROQ_KEY', 'UPSTASH_REDIS_REST_TOKEN']
  .map((name) => vars[name])
  .filter((v): v is string => typeof v === 'string' && v.length >= 8)
export const keyPatterns: [string, RegExp][] = [
  ['gateway key', /\blgw_[A-Za-z0-9_-]{6,}/],
  ['OpenAI-style key', /\bsk-[A-Za-z0-9_-]{8,}/],
  ['Groq key', /\bgsk_[A-Za-z0-9]{8,}/],
  ['bearer token', /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/i],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
]

const lines: string[] = []
const text = (value: unknown): string => {
  if (typeof value === 'string') return value
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[level].bind(console)
  console[level] = (...args: unknown[]) => {
    const line = args.map(text).join(' ')
    lines.push(line)
    // The per-request lines are captured and scanned, not printed: thousands would bury the test output.
    if (!line.startsWith('{"msg":"request"')) original(...args)
  }
}

/** The lines captured so far (tests that assert on a specific line read them here). */
export const capturedLogLines = (): readonly string[] => lines

/** Every line that carries key material, described (the match itself replaced). */
export function keyMaterialIn(scanned: readonly string[], secrets: readonly string[] = exact): string[] {
  const leaks: string[] = []
  for (const line of scanned) {
    for (const secret of secrets) if (line.includes(secret)) leaks.push(`a configured secret in: ${line.replaceAll(secret, '<SECRET>').slice(0, 300)}`)
    for (const [kind, re] of keyPatterns) if (re.test(line)) leaks.push(`${kind} in: ${line.replace(re, '<MATCH>').slice(0, 300)}`)
  }
  return leaks
}

afterAll(() => {
  const leaks = keyMaterialIn(lines)
  expect(leaks, `${leaks.length} of ${lines.length} log lines carry key material`).toEqual([])
})

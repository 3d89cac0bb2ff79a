/**
 * Finds values that look like credentials anywhere in a policy file. Policy is committed to git,
 * so a pasted key is refused outright rather than merely warned about.
 */

const patterns: readonly { kind: string; re: RegExp }[] = [
  { kind: 'Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{16,}/ },
  { kind: 'OpenAI API key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/ },
  { kind: 'Groq API key', re: /\bgsk_[A-Za-z0-9]{20,}/ },
  { kind: 'WatchLLM gateway key', re: /\blgw_[A-Za-z0-9_-]{8,}/ },
  { kind: 'AWS access key', re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { kind: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'Slack token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{30,}/ },
  { kind: 'Upstash or bearer token', re: /\bBearer\s+[A-Za-z0-9._~+/-]{16,}/i },
  { kind: 'private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
]

/** Fields whose values are meant to be opaque hashes, never keys. */
const hashFields = new Set(['sha256'])

export interface SecretLeak {
  path: (string | number)[]
  kind: string
}

export function findPlaintextSecrets(value: unknown, path: (string | number)[] = []): SecretLeak[] {
  if (typeof value === 'string') {
    const field = path[path.length - 1]
    if (typeof field === 'string' && hashFields.has(field)) return []
    const hit = patterns.find((p) => p.re.test(value))
    // A provider's `api_key: sk-…` written as a string instead of `{ secret: … }`.
    if (!hit && field === 'api_key' && value.length >= 16) return [{ path, kind: 'API key' }]
    return hit ? [{ path, kind: hit.kind }] : []
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findPlaintextSecrets(v, [...path, i]))
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => findPlaintextSecrets(v, [...path, k]))
  return []
}

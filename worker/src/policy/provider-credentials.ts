/**
 * Credentials may reach a provider only as Worker secrets (`{ secret: NAME }`), never inside the
 * policy, which is committed to git, bundled into the Worker and shown by the admin API. Beyond
 * the key-shaped values `plaintext-secrets.ts` recognises, refuse the two places a credential hides
 * in plain sight: a `base_url` carrying one (`https://user:pass@…`, `?api_key=…`), and a literal
 * value for a header that authenticates (`Authorization`, `x-api-key`, `…-token`).
 */
import { policyIssue, type PolicyIssue } from './errors.ts'
import type { ProviderPolicy } from './schema.ts'

type Where = (section: 'providers', entry: string, rest: (string | number)[]) => { file: string; line: number; path: string }

/** Query parameter names that carry credentials (compared lower-case, `-` and `_` alike). */
const KEY_LIKE_PARAM = /^(?:key|apikey|api_key|access_key|accesskey|token|access_token|auth|auth_token|authorization|secret|client_secret|password|passwd|pwd|sig|signature|code|credential|credentials|session|sessionid|x_api_key|subscription_key)$/

/** Headers whose value authenticates: a literal one would be a credential in git. */
export function isAuthHeader(name: string): boolean {
  const n = name.toLowerCase()
  return (
    n === 'authorization' ||
    n === 'proxy-authorization' ||
    n === 'cookie' ||
    /(?:^|[-_])(?:api[-_]?key|key|token|secret|password|auth|signature|credential|session)(?:$|[-_])/.test(n)
  )
}

/** Where a URL carries a credential, or undefined when it carries none. */
export function urlCredential(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.username || parsed.password) return 'user info (`user:password@`)'
  for (const name of parsed.searchParams.keys())
    if (KEY_LIKE_PARAM.test(name.toLowerCase().replaceAll('-', '_'))) return `query parameter \`${name}\``
  return undefined
}

export function checkProviderCredentials(providers: Record<string, ProviderPolicy>, where: Where): PolicyIssue[] {
  const issues: PolicyIssue[] = []
  for (const [name, provider] of Object.entries(providers)) {
    if (typeof provider.base_url === 'string') {
      const found = urlCredential(provider.base_url)
      if (found) issues.push(policyIssue('CredentialInUrl', where('providers', name, ['base_url']), `carries a credential in its ${found}`))
    }
    for (const [header, value] of Object.entries(provider.headers ?? {}))
      if (typeof value === 'string' && isAuthHeader(header))
        issues.push(policyIssue('LiteralAuthHeader', where('providers', name, ['headers', header]), `header \`${header}\` authenticates: its value must be a secret reference`))
  }
  return issues
}

/** A URL fit to show (admin API): user info and every query value replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return '(unparseable URL)'
  }
  if (parsed.username) parsed.username = '***'
  if (parsed.password) parsed.password = '***'
  const names = [...parsed.searchParams.keys()]
  for (const n of new Set(names)) parsed.searchParams.set(n, '***')
  return parsed.toString()
}

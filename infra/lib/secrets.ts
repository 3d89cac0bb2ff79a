/**
 * Secrets from encrypted stack config: provider keys the policy names, the admin token, the
 * Supabase password. A missing one, or one stored in plaintext, stops the program with the exact
 * `pulumi config set --secret` commands to run. Also the API credentials infra needs.
 */
import * as pulumi from '@pulumi/pulumi'

/** The SDK's own check (runtime/config.ts), not in its .d.ts: is this key stored encrypted? */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (fullKey: string) => boolean }).isConfigSecret

export interface SecretProblems {
  missing: string[]
  plaintext: string[]
}

/** Which of `names` are absent or not encrypted in the stack's config. */
export function checkSecrets(config: pulumi.Config, names: readonly string[]): SecretProblems {
  const missing: string[] = []
  const plaintext: string[] = []
  for (const name of names) {
    const fullKey = `${config.name}:${name}`
    if (pulumi.runtime.getConfig(fullKey) === undefined) missing.push(name)
    else if (isConfigSecret && !isConfigSecret(fullKey)) plaintext.push(name)
  }
  return { missing, plaintext }
}

export function formatSecretProblems(problems: SecretProblems, stack: string): string {
  const lines: string[] = []
  if (problems.missing.length > 0)
    lines.push(`stack ${stack} is missing secrets: ${problems.missing.join(', ')}`)
  if (problems.plaintext.length > 0)
    lines.push(`stack ${stack} stores these in plaintext (they must be encrypted): ${problems.plaintext.join(', ')}`)
  lines.push('set each with:', ...[...problems.missing, ...problems.plaintext].map((n) => `  pulumi config set --secret ${n} <value> --stack ${stack}`))
  return lines.join('\n')
}

/** Reads secrets that `checkSecrets` found present; each value is a Pulumi secret Output. */
export function requireSecrets(config: pulumi.Config, names: readonly string[]): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(names.map((n) => [n, config.requireSecret(n)]))
}

/**
 * What is missing for infra's API calls: tokens it reads from the environment (so they never land
 * in state) and the Upstash provider's credentials (stack config or its environment variables).
 */
export function credentialProblems(
  parts: { supabase: boolean; upstash: boolean },
  env: Readonly<Record<string, string | undefined>>,
  getConfig: (fullKey: string) => string | undefined,
): string[] {
  const problems: string[] = []
  const needed = ['CLOUDFLARE_API_TOKEN', ...(parts.supabase ? ['SUPABASE_ACCESS_TOKEN'] : [])].filter((name) => !env[name])
  if (needed.length > 0) problems.push(`export ${needed.join(' and ')} first (see infra/README.md, Prerequisites)`)
  const upstashConfigured =
    (getConfig('upstash:email') !== undefined && getConfig('upstash:apiKey') !== undefined) ||
    (env['UPSTASH_EMAIL'] !== undefined && env['UPSTASH_API_KEY'] !== undefined)
  if (parts.upstash && !upstashConfigured)
    problems.push('Upstash is on but has no credentials: pulumi config set upstash:email <email>; pulumi config set --secret upstash:apiKey <key>')
  return problems
}

import * as pulumi from '@pulumi/pulumi'
import { beforeAll, describe, expect, test } from 'vitest'
import { readStackSettings } from './config.ts'
import { installMocks } from './testing/mocks.ts'

const accountId = '0123456789abcdef0123456789abcdef'

function settings(values: Record<string, unknown>, stack = 'dev'): ReturnType<typeof readStackSettings> {
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`watchllm:${k}`, typeof v === 'string' ? v : JSON.stringify(v)])))
  return readStackSettings(new pulumi.Config('watchllm'), stack)
}

beforeAll(async () => {
  await installMocks('dev')
})

describe('stack settings', () => {
  test('only accountId is required; every optional part defaults to off', () => {
    const result = settings({ accountId })
    expect(result).toMatchObject({
      ok: true,
      value: {
        accountId,
        name: 'watchllm-dev',
        policyDir: 'policies',
        upstash: { enabled: false },
        supabase: { enabled: false },
        semantic: { enabled: false, embedder: '@cf/baai/bge-base-en-v1.5' },
        admin: { enabled: false, emails: [] },
        build: { wranglerConfig: 'worker/wrangler.jsonc', postgresMigrationsDir: 'worker/migrations/postgres' },
      },
    })
  })

  test('the default name follows the stack, made safe for resource names', () => {
    expect(settings({ accountId }, 'Prod_EU')).toMatchObject({ ok: true, value: { name: 'watchllm-prod-eu' } })
  })

  test.each([
    [{ accountId: 'ABC' }, 'watchllm:accountId: must be a 32-character lower-case hex id'],
    [{ accountId, name: 'Bad Name' }, 'watchllm:name: must be 3–40 lower-case letters, digits or dashes'],
    [{ accountId, domain: { hostname: 'llm.example.com' } }, 'watchllm:domain: needs zoneId or zoneName'],
    [{ accountId, domain: { hostname: 'llm.example.com', zoneName: 'example.com', routePattern: 'x/*' } }, 'watchllm:domain: routePattern needs zoneId'],
    [{ accountId, upstash: { enabled: true, primaryRegion: 'europe' } }, 'watchllm:upstash.primaryRegion: must be a region like us-east-1'],
    [{ accountId, supabase: { enabled: true } }, 'watchllm:supabase.organizationId: needs organizationId when enabled'],
    [{ accountId, admin: { enabled: true, emails: ['not-an-email'] } }, 'watchllm:admin.emails.0: Invalid email address'],
    [{ accountId, semantic: { enabled: true, dimensions: 4096 } }, 'watchllm:semantic.dimensions: Too big: expected number to be <=1536'],
    [{ accountId, admin: { enabled: true, emails: ['a@example.com'], accessTeamDomain: 'team.cloudflareaccess.com' } }, 'watchllm:admin.accessAud: accessTeamDomain and accessAud go together'],
    [{ accountId, admin: { enabled: true, emails: ['a@example.com'], accessTeamDomain: 'http://evil.example', accessAud: 'a'.repeat(64) } }, 'watchllm:admin.accessTeamDomain: must be <team>.cloudflareaccess.com'],
  ])('%j is refused with “%s”', (values, message) => {
    const result = settings(values)
    expect(result.ok).toBe(false)
    expect(result.ok ? [] : result.error).toContain(message)
  })
})

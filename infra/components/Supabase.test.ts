import { describe, expect, test } from 'vitest'
import { buildUnderMocks, secretness } from '../testing/component.ts'
import { Supabase } from './Supabase.ts'

const migrations = [{ name: '0001_usage.sql', sha256: 'abc', sql: 'CREATE TABLE usage_events (id text);' }]

describe('Supabase', () => {
  test('project, then migrations, then a Hyperdrive config on the project’s pooler; the password stays secret', async () => {
    const built = await buildUnderMocks((opts) =>
      new Supabase('supabase', { accountId: 'acc', name: 'watchllm-dev', organizationId: 'acme', region: 'eu-central-1', dbPassword: 'plain-password-given', migrations }, opts),
    )
    const project = built.propsOf('pulumi-nodejs:dynamic/watchllm:SupabaseProject')
    expect(await secretness(project['dbPassword'])).toEqual({ value: 'plain-password-given', secret: true })
    expect(built.propsOf('pulumi-nodejs:dynamic/watchllm:SupabaseMigrations')['migrations']).toEqual(migrations)

    const hyperdrive = built.captured.find((c) => c.type === 'cloudflare:index/hyperdriveConfig:HyperdriveConfig')
    const origin = hyperdrive?.props['origin'] as Record<string, unknown>
    expect(await secretness(origin['password'])).toEqual({ value: 'plain-password-given', secret: true })
    expect(await secretness(origin['host'])).toEqual({ value: 'aws-0-eu-central-1.pooler.supabase.com', secret: false })
    expect(origin['scheme']).toBe('postgres')
    const deps = (hyperdrive?.opts.dependsOn ?? []) as { constructor: { name: string } }[]
    expect(deps.map((d) => d.constructor.name)).toEqual(['SupabaseMigrations'])
    expect((await secretness(built.component.hyperdriveId)).value).toBe('supabase-hyperdrive-id')
  })
})

import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { startFakeSupabase, type FakeSupabase } from '../testing/fake-supabase-api.ts'
import { throughSerialization } from '../testing/serialized.ts'
import type { SupabaseApiOptions } from './supabase-api.ts'
import { SupabaseProjectProvider, type SupabaseProjectInputs, type SupabaseProjectOutputs } from './supabase-project.ts'

const token = 'sbp_test_token_project'
const password = 'correct-horse-battery-staple-42'
let api: FakeSupabase
let provider: SupabaseProjectProvider
let serializedText: string

const options = (over: Partial<SupabaseApiOptions> = {}): SupabaseApiOptions => ({
  apiBaseUrl: api.url,
  retries: 1,
  retryDelayMs: 1,
  timeoutMs: 5000,
  pollIntervalMs: 1,
  readyTimeoutMs: 5000,
  ...over,
})
const inputs = (over: Partial<SupabaseProjectInputs> = {}): SupabaseProjectInputs => ({
  name: 'watchllm-dev',
  organizationId: 'acme-org',
  region: 'eu-central-1',
  dbPassword: password,
  ...over,
})

beforeAll(async () => {
  api = await startFakeSupabase(token)
  vi.stubEnv('SUPABASE_ACCESS_TOKEN', token)
  const serialized = await throughSerialization(new SupabaseProjectProvider(options()))
  provider = serialized.provider
  serializedText = serialized.text
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await api.close()
})
beforeEach(() => {
  api.projects.clear()
  api.requests.length = 0
  api.setPollsUntilHealthy(3)
  api.setFinalStatus('ACTIVE_HEALTHY')
})

describe('SupabaseProjectProvider (serialised, against a fake Management API)', () => {
  test('create sends name, organization, region and password, then waits until ACTIVE_HEALTHY', async () => {
    const result = await provider.create(inputs())
    const project = api.projects.get(result.id)
    expect(project).toMatchObject({ name: 'watchllm-dev', organization_id: 'acme-org', region: 'eu-central-1', status: 'ACTIVE_HEALTHY' })
    expect(project?.dbPass).toBe(password)
    expect(api.requests.filter((r) => r.method === 'GET' && r.path === `/v1/projects/${result.id}`)).toHaveLength(3)
    expect(result.outs).toEqual({
      name: 'watchllm-dev',
      organizationId: 'acme-org',
      region: 'eu-central-1',
      ref: result.id,
      status: 'ACTIVE_HEALTHY',
      dbHost: 'aws-0-eu-central-1.pooler.supabase.com',
      dbPort: 5432,
      dbUser: `postgres.${result.id}`,
      dbName: 'postgres',
    })
    expect(JSON.stringify(result.outs)).not.toContain(password)
  })

  test('create is idempotent: a project with the same name in the organization is adopted', async () => {
    const firstRun = await provider.create(inputs())
    const secondRun = await provider.create(inputs())
    expect(secondRun.id).toBe(firstRun.id)
    expect(api.projects.size).toBe(1)
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  test('a project that fails to initialise is an error naming its status', async () => {
    api.setFinalStatus('INIT_FAILED')
    await expect(provider.create(inputs())).rejects.toThrow(/is INIT_FAILED, not ACTIVE_HEALTHY/)
  })

  test('waiting is bounded: a project still coming up times out with a way forward', async () => {
    api.setPollsUntilHealthy(1_000_000)
    const impatient = new SupabaseProjectProvider(options({ pollIntervalMs: 5, readyTimeoutMs: 50 }))
    await expect(impatient.create(inputs())).rejects.toThrow(/still COMING_UP after 0 s; run pulumi up again/)
  })

  test('an API error is reported with Supabase’s message', async () => {
    api.failNext(1, 400, { message: 'Region not allowed for this organization' })
    await expect(provider.create(inputs())).rejects.toThrow(/GET \/v1\/projects: 400 Region not allowed/)
  })

  test('read refreshes from the API and reports a deleted project as gone', async () => {
    const { id, outs } = await provider.create(inputs())
    const read = await provider.read?.(id, outs as SupabaseProjectOutputs)
    expect(read).toEqual({ id, props: outs })
    api.projects.delete(id)
    expect(await provider.read?.(id, outs as SupabaseProjectOutputs)).toEqual({})
  })

  test('organization, region or name changes replace; a password change does not', async () => {
    const { id, outs } = await provider.create(inputs())
    const olds = outs as SupabaseProjectOutputs
    expect(await provider.diff?.(id, olds, inputs({ region: 'us-east-1' }))).toMatchObject({ changes: true, replaces: ['region'] })
    expect(await provider.diff?.(id, olds, inputs({ organizationId: 'other' }))).toMatchObject({ replaces: ['organizationId'] })
    expect(await provider.diff?.(id, olds, inputs({ dbPassword: 'another-long-password-123' }))).toMatchObject({ changes: false, replaces: [] })
  })

  test('delete removes the project and is idempotent', async () => {
    const { id } = await provider.create(inputs())
    await provider.delete?.(id, {} as SupabaseProjectOutputs)
    expect(api.projects.has(id)).toBe(false)
    await expect(provider.delete?.(id, {} as SupabaseProjectOutputs)).resolves.toBeUndefined()
  })

  test('check rejects a short password and a malformed region', async () => {
    const result = await provider.check?.(inputs(), inputs({ region: 'mars', dbPassword: 'short' }))
    expect(result?.failures?.map((f) => f.property)).toEqual(['region', 'dbPassword'])
  })

  test('without SUPABASE_ACCESS_TOKEN it says which variable to set; the token is never serialised', async () => {
    vi.stubEnv('SUPABASE_ACCESS_TOKEN', '')
    await expect(provider.create(inputs())).rejects.toThrow(/SUPABASE_ACCESS_TOKEN is not set/)
    vi.stubEnv('SUPABASE_ACCESS_TOKEN', token)
    expect(serializedText).not.toContain(token)
  })
})

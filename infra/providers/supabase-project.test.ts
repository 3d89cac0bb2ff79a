import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { startFakePooler, type FakePooler } from '../testing/fake-pooler.ts'
import { startFakeSupabase, type FakeSupabase } from '../testing/fake-supabase-api.ts'
import { throughSerialization } from '../testing/serialized.ts'
import type { SupabaseApiOptions } from './supabase-api.ts'
import { SupabaseProjectProvider, type SupabaseProjectInputs, type SupabaseProjectOutputs } from './supabase-project.ts'

const token = 'sbp_test_token_project'
const password = 'correct-horse-battery-staple-42'
let api: FakeSupabase
let pooler: FakePooler
let provider: SupabaseProjectProvider
let serializedText: string

const options = (over: Partial<SupabaseApiOptions> = {}): SupabaseApiOptions => ({
  apiBaseUrl: api.url,
  retries: 1,
  retryDelayMs: 1,
  timeoutMs: 5000,
  pollIntervalMs: 1,
  readyTimeoutMs: 5000,
  poolerTimeoutMs: 5000,
  poolerSessionPort: pooler.port,
  ...over,
})
const inputs = (over: Partial<SupabaseProjectInputs> = {}): SupabaseProjectInputs => ({
  name: 'watchllm-dev',
  organizationId: 'acme-org',
  region: 'eu-central-1',
  dbPassword: password,
  ...over,
})
const posts = () => api.requests.filter((r) => r.method === 'POST' && r.path === '/v1/projects')

beforeAll(async () => {
  api = await startFakeSupabase(token)
  pooler = await startFakePooler()
  api.setPoolerHost('127.0.0.1')
  vi.stubEnv('SUPABASE_ACCESS_TOKEN', token)
  const serialized = await throughSerialization(new SupabaseProjectProvider(options()))
  provider = serialized.provider
  serializedText = serialized.text
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await api.close()
  await pooler.close()
})
beforeEach(() => {
  api.projects.clear()
  api.requests.length = 0
  pooler.startups.length = 0
  pooler.refuseNext(0)
  api.setPollsUntilHealthy(3)
  api.setFinalStatus('ACTIVE_HEALTHY')
})

describe('SupabaseProjectProvider (serialised, against a fake Management API that follows the published spec)', () => {
  test('create sends the current V1CreateProjectBody (organization_slug, region_selection), then waits until ACTIVE_HEALTHY', async () => {
    const result = await provider.create(inputs())
    expect(posts().map((r) => r.body)).toEqual([
      { name: 'watchllm-dev', organization_slug: 'acme-org', region_selection: { type: 'specific', code: 'eu-central-1' }, db_pass: password },
    ])
    const project = api.projects.get(result.id)
    expect(project).toMatchObject({ name: 'watchllm-dev', organization_slug: 'acme-org', region: 'eu-central-1', status: 'ACTIVE_HEALTHY', dbPass: password })
    expect(result.id).toMatch(/^[a-z]{20}$/)
    expect(api.requests.filter((r) => r.method === 'GET' && r.path === `/v1/projects/${result.id}`)).toHaveLength(3)
    expect(result.outs).toEqual({
      name: 'watchllm-dev',
      organizationId: 'acme-org',
      region: 'eu-central-1',
      ref: result.id,
      status: 'ACTIVE_HEALTHY',
      dbHost: '127.0.0.1',
      dbPort: pooler.port,
      dbUser: `postgres.${result.id}`,
      dbName: 'postgres',
    })
    expect(JSON.stringify(result.outs)).not.toContain(password)
  })

  test('after ACTIVE_HEALTHY it waits until the pooler accepts a session for the project (Hyperdrive comes next)', async () => {
    pooler.refuseNext(2) // "Tenant or user not found" twice, as Supavisor says for a brand-new project
    const result = await provider.create(inputs())
    expect(pooler.startups).toEqual([`postgres.${result.id}`, `postgres.${result.id}`, `postgres.${result.id}`])
  })

  test('waiting for the pooler is bounded, with a way forward', async () => {
    pooler.refuseNext(1_000_000)
    const impatient = new SupabaseProjectProvider(options({ poolerTimeoutMs: 30 }))
    await expect(impatient.create(inputs())).rejects.toThrow(/still refuses postgres\.\w+ after 0 s \(Tenant or user not found\); run pulumi up again/)
  })

  test('a project of the same name, organization and region that this stack did not create is not adopted', async () => {
    const stranger = api.addProject({ name: 'watchllm-dev', organization_slug: 'acme-org', region: 'eu-central-1', status: 'ACTIVE_HEALTHY' })
    await expect(provider.create(inputs())).rejects.toThrow(
      new RegExp(`already exists in acme-org/eu-central-1 \\(ref ${stranger.id}\\)[\\s\\S]*pulumi config set --path 'supabase.adoptProjectRef' ${stranger.id}`),
    )
    expect(posts()).toEqual([])
  })

  test('told to (adoptRef), it takes the named project over, after checking it matches the settings', async () => {
    const existing = api.addProject({ name: 'watchllm-dev', organization_slug: 'acme-org', region: 'eu-central-1', status: 'ACTIVE_HEALTHY' })
    const adopted = await provider.create(inputs({ adoptRef: existing.id }))
    expect(adopted.id).toBe(existing.id)
    expect(posts()).toEqual([])
    await expect(provider.create(inputs({ adoptRef: existing.id, region: 'us-east-1' }))).rejects.toThrow(/differs from the stack's settings in region/)
  })

  test('a region change replaces delete-first and never adopts the old project', async () => {
    // What `pulumi up` does with the diff: delete the old project, then create in the new region.
    const old = await provider.create(inputs())
    const diff = await provider.diff(old.id, old.outs as SupabaseProjectOutputs, inputs({ region: 'us-east-1' }))
    expect(diff).toMatchObject({ changes: true, replaces: ['region'], deleteBeforeReplace: true })
    await provider.delete(old.id, old.outs as SupabaseProjectOutputs)
    const moved = await provider.create(inputs({ region: 'us-east-1' }))
    expect(moved.id).not.toBe(old.id)
    expect([...api.projects.values()].map((p) => [p.id, p.region])).toEqual([[moved.id, 'us-east-1']])
    // Even were the old project still there (create-before-delete), a project in another region is never taken for this one.
    const again = await provider.create(inputs({ region: 'ap-southeast-1' }))
    expect(again.id).not.toBe(moved.id)
    expect(api.projects.get(moved.id)?.region).toBe('us-east-1')
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

  test('organization or name changes replace too; a password change does not', async () => {
    const { id, outs } = await provider.create(inputs())
    const olds = outs as SupabaseProjectOutputs
    expect(await provider.diff?.(id, olds, inputs({ organizationId: 'other' }))).toMatchObject({ replaces: ['organizationId'], deleteBeforeReplace: true })
    expect(await provider.diff?.(id, olds, inputs({ name: 'renamed' }))).toMatchObject({ replaces: ['name'] })
    expect(await provider.diff?.(id, olds, inputs({ dbPassword: 'another-long-password-123' }))).toMatchObject({ changes: false, replaces: [] })
  })

  test('delete removes the project and is idempotent', async () => {
    const { id } = await provider.create(inputs())
    await provider.delete?.(id, {} as SupabaseProjectOutputs)
    expect(api.projects.has(id)).toBe(false)
    await expect(provider.delete?.(id, {} as SupabaseProjectOutputs)).resolves.toBeUndefined()
  })

  test('check rejects a short password, a malformed region, organization slug or ref', async () => {
    const result = await provider.check?.(inputs(), inputs({ region: 'mars', dbPassword: 'short', organizationId: 'acme org', adoptRef: 'REF' }))
    expect(result?.failures?.map((f) => f.property)).toEqual(['organizationId', 'region', 'dbPassword', 'adoptRef'])
  })

  test('without SUPABASE_ACCESS_TOKEN it says which variable to set; the token is never serialised', async () => {
    vi.stubEnv('SUPABASE_ACCESS_TOKEN', '')
    await expect(provider.create(inputs())).rejects.toThrow(/SUPABASE_ACCESS_TOKEN is not set/)
    vi.stubEnv('SUPABASE_ACCESS_TOKEN', token)
    expect(serializedText).not.toContain(token)
  })
})

describe('the fake follows the published spec', () => {
  test('it refuses the deprecated create body the provider used to send', async () => {
    const res = await fetch(`${api.url}/v1/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', organization_id: 'acme-org', region: 'us-east-1', db_pass: password }),
    })
    expect(res.status).toBe(400)
  })
})

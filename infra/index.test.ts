/**
 * The whole program under Pulumi mocks: which resources exist with which inputs for each set of
 * optional parts, secrets, policy errors and stack settings.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { formatPolicyIssues, loadPolicyDir } from '../worker/src/policy/load.ts'
import { repoRoot } from './lib/paths.ts'
import { T, accountId, adminToken, allOn, core, dbPassword, fx, loadFixtures, optionalTypes, partTypes, productionPolicyDir, scriptBindings, secrets, sha256 } from './testing/fixtures.ts'
import { mockUpstashRestToken, plaintextStrings, reveal } from './testing/mocks.ts'
import { fakeBundleDir, runProgram, tempTree } from './testing/program.ts'

beforeAll(loadFixtures)

describe('resources per optional part', () => {
  test('with every optional part off, only the gateway core exists', async () => {
    const run = await runProgram({ settings: core(), secrets: secrets() })
    const counts = Object.fromEntries([T.script, T.kv, T.d1, T.d1Migrations, T.queue, T.consumer, T.workersDev].map((t) => [t, run.ofType(t).length]))
    expect(counts).toEqual({ [T.script]: 1, [T.kv]: 1, [T.d1]: 1, [T.d1Migrations]: 1, [T.queue]: 2, [T.consumer]: 2, [T.workersDev]: 1 })
    expect(run.resources.filter((r) => optionalTypes.includes(r.type) || r.type === T.route)).toEqual([])
    expect(run.one(T.workersDev).inputs).toMatchObject({ enabled: true, scriptName: 'watchllm-test-gateway' })
    expect(run.outputs['policyHash']).toBe(fx.policyHash)
    // The account's real workers.dev subdomain, read from the API at program time.
    expect(run.outputs['gatewayUrl']).toBe('https://watchllm-test-gateway.acme-team.workers.dev')
  })

  test.each(Object.keys(partTypes) as (keyof typeof partTypes)[])('turning on only %s adds exactly its resources', async (part) => {
    const settings = { ...core(), build: { ...(allOn()['build'] as object) } } as Record<string, unknown>
    const on = allOn()
    settings[part] = on[part]
    const run = await runProgram({ settings, secrets: secrets(part === 'supabase' ? { supabaseDbPassword: dbPassword } : {}) })
    const present = [...new Set(run.resources.map((r) => r.type).filter((t) => optionalTypes.includes(t)))].sort()
    expect(present).toEqual([...partTypes[part]].sort())
  })

  test('with every optional part on, each resource gets the right inputs', async () => {
    const run = await runProgram({ settings: allOn(), secrets: secrets({ supabaseDbPassword: dbPassword }) })
    expect(reveal(run.one(T.redis).inputs)).toMatchObject({ databaseName: 'watchllm-test', region: 'global', primaryRegion: 'eu-west-1', tls: true, eviction: true })
    expect(reveal(run.one(T.vectorize).inputs)).toMatchObject({
      accountId,
      name: 'watchllm-test-semantic',
      dimensions: 768,
      metric: 'cosine',
      metadataIndexes: [
        { propertyName: 'project', indexType: 'string' },
        { propertyName: 'model', indexType: 'string' },
        { propertyName: 'context', indexType: 'string' },
      ],
    })
    expect(reveal(run.one(T.supabaseProject).inputs)).toMatchObject({ name: 'watchllm-test', organizationId: 'acme-org', region: 'eu-central-1', dbPassword })
    const pgFiles = reveal(run.one(T.supabaseMigrations).inputs['migrations']) as { name: string }[]
    expect(pgFiles.map((f) => f.name)).toEqual(['0001_usage.sql'])
    expect(reveal(run.one(T.hyperdrive).inputs)).toMatchObject({
      name: 'watchllm-test',
      origin: { scheme: 'postgres', host: 'aws-0-eu-central-1.pooler.supabase.com', port: 5432, user: 'postgres.mockprojectref', database: 'postgres', password: dbPassword },
    })
    expect(reveal(run.one(T.pages).inputs)).toMatchObject({
      name: 'watchllm-test-admin',
      productionBranch: 'main',
      deploymentConfigs: { production: { services: { GATEWAY: { service: 'watchllm-test-gateway', entrypoint: 'AdminApi' } } } },
    })
    expect(run.one(T.upload).inputs).toMatchObject({ projectName: 'watchllm-test-admin', branch: 'main', directory: fx.adminDir.slice(repoRoot.length + 1) })
    expect(run.one(T.accessPolicy).inputs).toMatchObject({ decision: 'allow', includes: [{ email: { email: 'ops@example.com' } }] })
    expect(run.one(T.accessApp).inputs).toMatchObject({ type: 'self_hosted', domain: 'watchllm-test-admin.pages.dev', policies: [{ id: 'admin-access-policy-id', precedence: 1 }] })
    expect(run.one(T.customDomain).inputs).toMatchObject({ hostname: 'llm.example.com', zoneName: 'example.com', service: 'watchllm-test-gateway' })
    expect(run.one(T.workersDev).inputs).toMatchObject({ enabled: false })
    expect(run.outputs).toMatchObject({ gatewayUrl: 'https://llm.example.com', adminUrl: 'https://watchllm-test-admin.pages.dev', supabaseProjectRef: 'mockprojectref' })
  })

  test('the admin upload re-runs exactly when the built site changes', async () => {
    const hash = async (): Promise<unknown> =>
      (await runProgram({ settings: { ...core(), admin: { enabled: true, emails: ['ops@example.com'] }, build: { workerBundleDir: fx.bundleDir, adminDistDir: fx.adminDir } }, secrets: secrets() })).one(T.upload).inputs['sha256']
    const before = await hash()
    expect(await hash()).toEqual(before)
    await writeFile(join(fx.adminDir, 'index.html'), '<h1>WatchLLM admin v2</h1>')
    expect(await hash()).not.toEqual(before)
  })

  test('an admin build with server output is not uploaded', async () => {
    const dir = await tempTree({ 'index.html': '<h1>admin</h1>', 'server/entry.mjs': 'export {}', 'client/app.js': '' })
    await expect(
      runProgram({ settings: { ...core(), admin: { enabled: true, emails: ['ops@example.com'] }, build: { workerBundleDir: fx.bundleDir, adminDistDir: dir } }, secrets: secrets() }),
    ).rejects.toThrow(/is not a Pages upload .* it holds server\/entry\.mjs/)
  })
})

describe('a second `up` changes nothing', () => {
  test('running the program twice yields identical inputs for every resource, with no path of this machine in them', async () => {
    const settings = allOn()
    const one = await runProgram({ settings, secrets: secrets({ supabaseDbPassword: dbPassword }) })
    const two = await runProgram({ settings, secrets: secrets({ supabaseDbPassword: dbPassword }) })
    const inputsOf = (run: typeof one) => run.resources.map((r) => ({ type: r.type, name: r.name, inputs: reveal(r.inputs) }))
    expect(inputsOf(two)).toEqual(inputsOf(one))
    // Nothing that differs between checkouts or CI runners: no absolute path, no Node binary, no temp dir.
    const strings = JSON.stringify(inputsOf(one).map((r) => ({ ...r, inputs: { ...(r.inputs as object), __provider: undefined } })))
    expect(strings).not.toContain(repoRoot)
    expect(strings).not.toContain(process.execPath)
    expect(strings).not.toMatch(/"\/(tmp|home|root|usr|opt)\//)
    const script = one.one(T.script).inputs
    expect(script['contentFile']).toMatch(/^(\.\.\/)?\.tmp\/infra-test-\w+\/bundle-\w+\/index\.js$/)
  })
})

describe('workers.dev', () => {
  test('without a domain and without an account subdomain, the program says what to do', async () => {
    const saved = fx.cloudflare?.subdomain.value
    if (fx.cloudflare) fx.cloudflare.subdomain.value = undefined
    try {
      await expect(runProgram({ settings: core(), secrets: secrets() })).rejects.toThrow(/has no workers\.dev subdomain, which a gateway on workers\.dev needs: open the dashboard/)
    } finally {
      if (fx.cloudflare) fx.cloudflare.subdomain.value = saved
    }
  })

  test('with a custom domain the subdomain is not needed (nor read)', async () => {
    const before = fx.cloudflare?.requests.length ?? 0
    const run = await runProgram({ settings: { ...core(), domain: { hostname: 'llm.example.com', zoneName: 'example.com' } }, secrets: secrets() })
    expect(run.outputs['gatewayUrl']).toBe('https://llm.example.com')
    expect(fx.cloudflare?.requests.slice(before).filter((r) => r.path.endsWith('/workers/subdomain'))).toEqual([])
  })
})

describe('secrets', () => {
  test('every provider key and token reaches resources only as a Pulumi secret, never in outputs', async () => {
    const run = await runProgram({ settings: allOn(), secrets: secrets({ supabaseDbPassword: dbPassword }) })
    const sensitive = [...Object.values(fx.providerKeys), adminToken, sha256(adminToken), dbPassword, mockUpstashRestToken, 'upstash-redis.upstash.io']
    for (const r of run.resources) {
      const exposed = plaintextStrings(r.inputs).filter((s) => sensitive.some((v) => s.includes(v)))
      expect(exposed, `${r.type} ${r.name}`).toEqual([])
    }
    expect(JSON.stringify(run.outputs)).not.toMatch(new RegExp(sensitive.map((s) => s.replaceAll('.', '\\.')).join('|')))
    const secretBindings = Object.fromEntries(scriptBindings(run).filter((b) => b.type === 'secret_text').map((b) => [b.name, b['text']]))
    // The admin token is bound only as its hash, and only because this stack set one.
    expect(secretBindings).toEqual({
      ...fx.providerKeys,
      ADMIN_TOKEN_SHA256: sha256(adminToken),
      UPSTASH_REDIS_REST_URL: 'https://upstash-redis.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: mockUpstashRestToken,
    })
  })

  test('the admin token is optional: without it the public admin API stays closed (no hash is bound)', async () => {
    const { adminToken: _omitted, ...rest } = secrets()
    const run = await runProgram({ settings: core(), secrets: rest })
    expect(scriptBindings(run).map((b) => b.name)).not.toContain('ADMIN_TOKEN_SHA256')
    await expect(runProgram({ settings: core(), secrets: rest, plaintext: { adminToken: 'lgw_admin_plain' } })).rejects.toThrow(/in plaintext \(they must be encrypted\): adminToken/)
  })

  test('a provider key missing from stack config stops the program with the command to run', async () => {
    const missing = fx.policySecrets[0] ?? 'OPENAI_API_KEY'
    const partial = secrets()
    delete partial[missing]
    await expect(runProgram({ settings: core(), secrets: partial })).rejects.toThrow(
      new RegExp(`missing secrets: ${missing}[\\s\\S]*pulumi config set --secret ${missing} <value> --stack test`),
    )
  })

  test('a provider key stored in plaintext is refused', async () => {
    const leaked = fx.policySecrets[0] ?? 'OPENAI_API_KEY'
    const rest = secrets()
    delete rest[leaked]
    await expect(runProgram({ settings: core(), secrets: rest, plaintext: { [leaked]: 'sk-plain' } })).rejects.toThrow(
      new RegExp(`stores these in plaintext \\(they must be encrypted\\): ${leaked}`),
    )
  })
})

describe('credentials', () => {
  test('without CLOUDFLARE_API_TOKEN the program stops before anything changes', async () => {
    await expect(runProgram({ settings: core(), secrets: secrets(), env: { CLOUDFLARE_API_TOKEN: undefined } })).rejects.toThrow(
      /export CLOUDFLARE_API_TOKEN first/,
    )
  })

  test('Supabase on needs SUPABASE_ACCESS_TOKEN', async () => {
    const settings = { ...core(), supabase: { enabled: true, organizationId: 'acme' } }
    await expect(runProgram({ settings, secrets: secrets({ supabaseDbPassword: dbPassword }), env: { SUPABASE_ACCESS_TOKEN: undefined } })).rejects.toThrow(
      /export SUPABASE_ACCESS_TOKEN first/,
    )
  })

  test('Upstash on needs its provider credentials, from config or the environment', async () => {
    const settings = { ...core(), upstash: { enabled: true } }
    const noConfig = { 'upstash:email': undefined, 'upstash:apiKey': undefined }
    await expect(runProgram({ settings, secrets: secrets(), raw: noConfig, env: { UPSTASH_EMAIL: undefined, UPSTASH_API_KEY: undefined } })).rejects.toThrow(
      /Upstash is on but has no credentials: pulumi config set upstash:email/,
    )
    const run = await runProgram({ settings, secrets: secrets(), raw: noConfig, env: { UPSTASH_EMAIL: 'ops@example.com', UPSTASH_API_KEY: 'k' } })
    expect(run.ofType(T.redis)).toHaveLength(1)
  })
})

describe('policy', () => {
  async function policyVariant(edit: (projects: string) => string, file = 'projects.yaml'): Promise<string> {
    const files: Record<string, string> = {}
    for (const f of await readdir(productionPolicyDir)) if (f.endsWith('.yaml')) files[f] = await readFile(join(productionPolicyDir, f), 'utf8')
    files[file] = edit(files[file] ?? '')
    return tempTree(files)
  }

  test('the local demo policy (mock targets, the local dev key) fails preview with the compiler’s file:line messages', async () => {
    const compiled = await loadPolicyDir('policies', { environment: 'production' })
    expect(compiled.ok).toBe(false)
    const expected = compiled.ok ? '' : formatPolicyIssues(compiled.error)
    expect(expected).toMatch(/^policies\/models\.yaml:\d+ models\.gpt-4o-mini\.targets\.2\.provider: routes to the mock provider "mock"/)
    expect(expected).toMatch(/policies\/projects\.yaml:\d+ projects\.demo\.keys\.0\.local_only: key local-dev is local_only/)
    await expect(runProgram({ settings: { ...core(), policyDir: 'policies' }, secrets: secrets() })).rejects.toThrow(expected)
  })

  test('one mock fallback added to a production policy stops preview at its line', async () => {
    const dir = await policyVariant((m) => m.replace('      - { provider: anthropic, model: claude-haiku-4-5 }\n', '      - { provider: anthropic, model: claude-haiku-4-5 }\n      - { provider: mock }\n'), 'models.yaml')
    const withMock = join(dir, 'mock.yaml')
    await writeFile(withMock, 'providers:\n  mock: { type: mock }\n')
    await expect(runProgram({ settings: { ...core(), policyDir: dir }, secrets: secrets() })).rejects.toThrow(
      /models\.yaml:14 models\.claude-haiku-4-5\.targets\.1\.provider: routes to the mock provider "mock", which only answers under WATCHLLM_ENV=local — hint: /,
    )
  })

  test('a bad policy fails with the compiler’s own `file:line path: message`', async () => {
    const dir = await policyVariant((p) => p.replace('      semantic:\n        enabled: true\n', '      semantic:\n        enabled: true\n        threshold: 2\n'))
    const compiled = await loadPolicyDir(dir)
    expect(compiled.ok).toBe(false)
    const expected = compiled.ok ? '' : formatPolicyIssues(compiled.error)
    expect(expected).toMatch(/projects\.yaml:\d+ projects\.demo\.cache\.semantic\.threshold: /)
    await expect(runProgram({ settings: { ...core(), policyDir: dir }, secrets: secrets() })).rejects.toThrow(expected)
  })

  test('alert webhooks name Worker secrets: required from stack config, then bound as secrets', async () => {
    const alerts = '    alerts:\n      webhook: { url: { secret: ALERT_WEBHOOK_URL }, format: generic, signing_key: { secret: ALERT_WEBHOOK_SIGNING_KEY } }\n'
    const dir = await policyVariant((p) => `${p}${alerts}`)
    const compiled = await loadPolicyDir(dir)
    if (!compiled.ok) throw new Error(formatPolicyIssues(compiled.error))
    expect(compiled.value.secrets).toEqual(expect.arrayContaining(['ALERT_WEBHOOK_URL', 'ALERT_WEBHOOK_SIGNING_KEY']))
    const settings = { ...core(), policyDir: dir, build: { workerBundleDir: await fakeBundleDir(`export default {} // policy ${compiled.value.hash}`) } }
    await expect(runProgram({ settings, secrets: secrets() })).rejects.toThrow(
      /missing secrets: ALERT_WEBHOOK_SIGNING_KEY, ALERT_WEBHOOK_URL[\s\S]*pulumi config set --secret ALERT_WEBHOOK_URL <value>/,
    )
    const hook = 'https://hooks.example.com/services/T000/B000/SECRETsecret'
    const run = await runProgram({ settings, secrets: secrets({ ALERT_WEBHOOK_URL: hook, ALERT_WEBHOOK_SIGNING_KEY: 'whsec-SECRET' }) })
    expect(scriptBindings(run).filter((b) => b.name.startsWith('ALERT_'))).toEqual([
      { name: 'ALERT_WEBHOOK_SIGNING_KEY', type: 'secret_text', text: 'whsec-SECRET' },
      { name: 'ALERT_WEBHOOK_URL', type: 'secret_text', text: hook },
    ])
    expect(plaintextStrings(run.one(T.script).inputs).join(' ')).not.toMatch(/SECRETsecret|whsec-SECRET/)
  })

  test('a policy that counts rate limits in Upstash needs Upstash on, and names the project and the setting', async () => {
    const upstash = '    limits: { key: { requests: 60 }, backend: upstash }\n'
    const dir = await policyVariant((p) => `${p}${upstash}`)
    await expect(runProgram({ settings: { ...core(), policyDir: dir }, secrets: secrets() })).rejects.toThrow(
      /projects demo count rate limits in Upstash \(limits.backend: upstash\), but watchllm:upstash.enabled is false: turn Upstash on \(`pulumi config set --path 'upstash.enabled' true`\) or use limits.backend: durable-object/,
    )
    // With Upstash on, the same policy deploys, and the worker gets the Redis REST credentials it counts with.
    const compiled = await loadPolicyDir(dir)
    if (!compiled.ok) throw new Error(formatPolicyIssues(compiled.error))
    const bundle = { workerBundleDir: await fakeBundleDir(`export default {} // policy ${compiled.value.hash}`) }
    const run = await runProgram({ settings: { ...core(), policyDir: dir, build: bundle, upstash: allOn()['upstash'] }, secrets: secrets() })
    expect(scriptBindings(run).map((b) => b.name)).toEqual(expect.arrayContaining(['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN']))
  })

  test('a policy that caches in Redis needs Upstash on', async () => {
    const dir = await policyVariant((p) => p.replace('store: kv', 'store: redis'))
    await expect(runProgram({ settings: { ...core(), policyDir: dir }, secrets: secrets() })).rejects.toThrow(
      /projects demo use cache.exact.store: redis, but watchllm:upstash.enabled is false/,
    )
  })
})

describe('stack settings', () => {
  test('invalid settings are listed by key', async () => {
    await expect(runProgram({ settings: { accountId: 'nope', admin: { enabled: true } }, secrets: secrets() })).rejects.toThrow(
      /watchllm:accountId: must be a 32-character lower-case hex id\nwatchllm:admin.emails: needs at least one email/,
    )
  })

  test('an embedder infra does not know needs explicit dimensions, which then shape the index', async () => {
    const semantic = { enabled: true, embedder: 'my-embedder' }
    await expect(runProgram({ settings: { ...core(), semantic }, secrets: secrets() })).rejects.toThrow(/watchllm:semantic.embedder: unknown embedder/)
    const run = await runProgram({ settings: { ...core(), semantic: { ...semantic, dimensions: 512, metric: 'dot-product' } }, secrets: secrets() })
    expect(run.one(T.vectorize).inputs).toMatchObject({ dimensions: 512, metric: 'dot-product' })
  })
})

/**
 * The WatchLLM Pulumi program: stack config → policy → worker bundle → components → outputs.
 * Run it through `npm run preview | deploy | destroy` (see infra/README.md).
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import * as pulumi from '@pulumi/pulumi'
import { AdminSite } from './components/AdminSite.ts'
import { Database } from './components/Database.ts'
import { Gateway } from './components/Gateway.ts'
import { Supabase } from './components/Supabase.ts'
import { Upstash } from './components/Upstash.ts'
import { VectorIndex } from './components/VectorIndex.ts'
import { readStackSettings } from './config.ts'
import { buildAdminSite, foreignUploadFiles, hashDirectory, listFiles } from './lib/admin-build.ts'
import { buildWorkerBundle, readWorkerBundle, relativeTo } from './lib/bundle.ts'
import { embedders } from './lib/embedders.ts'
import { readMigrationFiles } from './lib/migration-files.ts'
import { kebab, stackResourceName } from './lib/names.ts'
import { fromRepo, repoRoot } from './lib/paths.ts'
import { compilePolicyOrThrow, policyNeeds } from './lib/policy.ts'
import { checkSecrets, credentialProblems, formatSecretProblems, requireSecrets } from './lib/secrets.ts'
import { readWranglerConfig } from './lib/wrangler-config.ts'
import { cloudflareApiDefaults, durableObjectMigrationTag, workersDevSubdomain } from './providers/cloudflare-api.ts'
import { supabaseApiDefaults } from './providers/supabase-api.ts'

// Pulumi starts this program, and the providers, in the program's directory (infra/): paths in
// resource inputs are relative to it, so they read the same on every checkout and CI runner.
const programDir = process.cwd()
// Paths in config and in policy errors (`policies/projects.yaml:14 …`) are relative to the repo root.
process.chdir(repoRoot)

// ── config ─────────────────────────────────────────────────────────────────────────────────
const stack = pulumi.getStack()
const config = new pulumi.Config('watchllm')
const read = readStackSettings(config, stack)
if (!read.ok) throw new pulumi.RunError(`invalid settings in stacks/Pulumi.${stack}.yaml:\n${read.error.join('\n')}`)
const settings = read.value
const { accountId, name: prefix } = settings
const cloudflareApi = { ...cloudflareApiDefaults, apiBaseUrl: settings.api.cloudflare ?? cloudflareApiDefaults.apiBaseUrl }
const supabaseApi = { ...supabaseApiDefaults, apiBaseUrl: settings.api.supabase ?? supabaseApiDefaults.apiBaseUrl }

// ── policy: compiled for production here, so a bad one (or a `mock` route) stops `pulumi preview` ─
const policy = await compilePolicyOrThrow(settings.policyDir, 'production')
const needs = policyNeeds(policy)
if (needs.redisProjects.length > 0 && !settings.upstash.enabled)
  throw new pulumi.RunError(
    `projects ${needs.redisProjects.join(', ')} use cache.exact.store: redis, but watchllm:upstash.enabled is false: turn Upstash on or use store: kv`,
  )
// Without Upstash the worker could not count these limits at all: each request would fail open or closed.
if (needs.upstashLimitProjects.length > 0 && !settings.upstash.enabled)
  throw new pulumi.RunError(
    `projects ${needs.upstashLimitProjects.join(', ')} count rate limits in Upstash (limits.backend: upstash), but watchllm:upstash.enabled is false: turn Upstash on (\`pulumi config set --path 'upstash.enabled' true\`) or use limits.backend: durable-object`,
  )
if (needs.semanticProjects.length > 0 && !settings.semantic.enabled)
  pulumi.log.warn(`projects ${needs.semanticProjects.join(', ')} use the semantic cache without Vectorize: the D1 vector store serves it`)

// ── secrets: every provider key the policy names, plus infra's own ────────────────────────────
const infraSecrets = settings.supabase.enabled ? ['supabaseDbPassword'] : []
const problems = checkSecrets(config, [...policy.secrets, ...infraSecrets])
// The admin token is optional: the admin site needs none (its binding is the credential). Set, it
// opens the public /admin/api to automation holding it; it must be encrypted all the same.
problems.plaintext.push(...checkSecrets(config, ['adminToken']).plaintext)
if (problems.missing.length + problems.plaintext.length > 0) throw new pulumi.RunError(formatSecretProblems(problems, stack))
const providerKeys = requireSecrets(config, policy.secrets)
const adminToken = config.getSecret('adminToken')

// API credentials, checked up front so a missing one stops preview instead of failing halfway through `up`.
const missingCredentials = credentialProblems(
  { supabase: settings.supabase.enabled, upstash: settings.upstash.enabled },
  process.env,
  pulumi.runtime.getConfig,
)
if (missingCredentials.length > 0) throw new pulumi.RunError(missingCredentials.join('\n'))

// Without a domain the gateway is served on workers.dev, which needs the account's subdomain.
const workersDev = settings.domain ? undefined : await workersDevSubdomain(cloudflareApi, accountId)
if (!settings.domain && !workersDev)
  throw new pulumi.RunError(
    `Cloudflare account ${accountId} has no workers.dev subdomain, which a gateway on workers.dev needs: open the dashboard's Workers & Pages page once (it offers to create one), then run this again; or serve the gateway on your own hostname with watchllm:domain`,
  )

// ── the worker: bindings from wrangler.jsonc, bundle from `wrangler deploy --dry-run` ─────────
const wranglerPath = fromRepo(settings.build.wranglerConfig)
const declaration = await readWranglerConfig(wranglerPath, relative(repoRoot, wranglerPath))
const bundleDir = settings.build.workerBundleDir ? fromRepo(settings.build.workerBundleDir) : join(repoRoot, '.wrangler', 'deploy', stack, 'worker')
if (!settings.build.workerBundleDir)
  await buildWorkerBundle({ config: wranglerPath, outDir: bundleDir, policyDir: fromRepo(settings.policyDir), environment: 'production' })
const bundle = await readWorkerBundle(bundleDir, declaration.main)
if (relative(repoRoot, bundleDir).startsWith('..'))
  throw new pulumi.RunError(`watchllm:build.workerBundleDir must be inside the repository (${bundleDir} is not): deploys must not depend on where it was built`)
// The deployed worker must serve the policy validated above (its hash is what /health reports).
if (!(await readFile(bundle.main.path, 'utf8')).includes(policy.hash))
  throw new pulumi.RunError(`the worker bundle in ${relative(repoRoot, bundleDir)} was built from another policy than ${settings.policyDir} (hash ${policy.hash.slice(0, 12)}…): rebuild it`)
const declaredKinds = new Set(declaration.bindings.map((b) => b.kind))
if (settings.semantic.enabled && !declaredKinds.has('vectorize'))
  throw new pulumi.RunError(`watchllm:semantic.enabled is true, but ${settings.build.wranglerConfig} declares no vectorize binding`)
if (settings.supabase.enabled && !declaredKinds.has('hyperdrive'))
  throw new pulumi.RunError(
    `watchllm:supabase.enabled is true, but ${settings.build.wranglerConfig} declares no hyperdrive binding (HYPERDRIVE): the worker could not reach Postgres`,
  )

// ── components ─────────────────────────────────────────────────────────────────────────────
// One D1 database (with its migrations) per d1 binding wrangler.jsonc declares.
const databases: [string, Database][] = []
for (const b of declaration.bindings) {
  if (b.kind !== 'd1') continue
  const migrations = await readMigrationFiles(join(dirname(wranglerPath), b.migrationsDir ?? 'migrations'))
  const databaseName = stackResourceName(prefix, b.databaseName)
  databases.push([
    b.name,
    new Database(`d1-${kebab(b.name)}`, { accountId, databaseName, migrations, primaryLocationHint: settings.d1.locationHint, api: cloudflareApi }),
  ])
}

// The semantic cache's Vectorize index, shaped by the embedder (explicit dimensions win).
const shape = settings.semantic.dimensions
  ? { dimensions: settings.semantic.dimensions, metric: settings.semantic.metric ?? 'cosine' }
  : embedders[settings.semantic.embedder]
const vectorIndexes: [string, VectorIndex][] = []
for (const b of declaration.bindings) {
  if (b.kind !== 'vectorize' || !settings.semantic.enabled || !shape) continue
  const indexName = stackResourceName(prefix, b.indexName)
  vectorIndexes.push([
    b.name,
    new VectorIndex(`vectors-${kebab(b.name)}`, { accountId, indexName, embedder: settings.semantic.embedder, shape, api: cloudflareApi }),
  ])
}

const upstash = settings.upstash.enabled
  ? new Upstash('upstash', { databaseName: prefix, primaryRegion: settings.upstash.primaryRegion, readRegions: settings.upstash.readRegions })
  : undefined

const supabase =
  settings.supabase.enabled && settings.supabase.organizationId
    ? new Supabase('supabase', {
        accountId,
        name: prefix,
        organizationId: settings.supabase.organizationId,
        region: settings.supabase.region,
        dbPassword: config.requireSecret('supabaseDbPassword'),
        adoptRef: settings.supabase.adoptProjectRef,
        migrations: await readMigrationFiles(fromRepo(settings.build.postgresMigrationsDir)),
        api: supabaseApi,
      })
    : undefined

const deployedMigrationTag =
  declaration.doMigrations.length > 0
    ? await durableObjectMigrationTag(cloudflareApi, accountId, stackResourceName(prefix, declaration.scriptName))
    : undefined

const gateway = new Gateway('gateway', {
  accountId,
  namePrefix: prefix,
  declaration,
  bundle: relativeTo(bundle, programDir),
  d1DatabaseIds: Object.fromEntries(databases.map(([b, db]) => [b, db.databaseId])),
  vectorIndexNames: Object.fromEntries(vectorIndexes.map(([b, v]) => [b, v.indexName])),
  hyperdriveId: supabase?.hyperdriveId,
  secrets: {
    ...providerKeys,
    // The worker compares SHA-256 hashes in constant time; it never holds the admin token itself.
    ...(adminToken ? { ADMIN_TOKEN_SHA256: adminToken.apply((t) => createHash('sha256').update(t).digest('hex')) } : {}),
    ...(upstash ? { UPSTASH_REDIS_REST_URL: upstash.restUrl, UPSTASH_REDIS_REST_TOKEN: upstash.restToken } : {}),
    // Not secret, but set per stack: the gateway then believes an admin identity only from a verified Access assertion.
    ...(settings.admin.accessAud ? { ACCESS_TEAM_DOMAIN: settings.admin.accessTeamDomain!, ACCESS_AUD: settings.admin.accessAud } : {}),
  },
  domain: settings.domain,
  deployedMigrationTag,
  workersDevSubdomain: workersDev,
})

// The admin site: the Pages upload (static pages + the /api function), built now unless given.
const adminDist = settings.admin.enabled
  ? settings.build.adminDistDir
    ? fromRepo(settings.build.adminDistDir)
    : await buildAdminSite({ compatibilityDate: declaration.compatibilityDate })
  : undefined
if (adminDist) {
  if (relative(repoRoot, adminDist).startsWith('..'))
    throw new pulumi.RunError(`watchllm:build.adminDistDir must be inside the repository (${adminDist} is not): deploys must not depend on where it was built`)
  const foreign = foreignUploadFiles(await listFiles(adminDist))
  if (foreign.length > 0)
    throw new pulumi.RunError(`${relative(repoRoot, adminDist)} is not a Pages upload (static files, _worker.js/, _routes.json): it holds ${foreign.slice(0, 5).join(', ')}; rebuild it with npm run build:admin`)
}
const admin = adminDist
  ? new AdminSite('admin', {
      accountId,
      projectName: `${prefix}-admin`,
      uploadDir: relative(repoRoot, adminDist),
      uploadHash: (await hashDirectory(adminDist)).sha256,
      compatibilityDate: declaration.compatibilityDate,
      gatewayScriptName: gateway.scriptName,
      accessEmails: settings.admin.emails,
      serviceTokenIds: settings.admin.serviceTokenIds,
    })
  : undefined

// ── outputs ────────────────────────────────────────────────────────────────────────────────
export const gatewayUrl = gateway.url
export const workerName = gateway.scriptName
export const policyHash = policy.hash
export const policyFiles = policy.sources
/** The compiled policy as deployed (no secrets in it: key hashes and secret names only), what `npm run preview` diffs against. */
export const deployedPolicy = Object.fromEntries(Object.entries(policy).filter(([k]) => k !== 'keys'))
export const workerBundle = { sha256: bundle.sha256, rawBytes: bundle.rawBytes, gzipBytes: bundle.gzipBytes }
export const bindings = gateway.bindingNames
export const unboundOptionalBindings = gateway.unboundOptional
export const d1Migrations = Object.fromEntries(databases.map(([b, db]) => [b, db.appliedMigrations]))
export const queues = gateway.queueNames
export const vectorIndexNames = Object.fromEntries(vectorIndexes.map(([b, v]) => [b, v.indexName]))
export const supabaseProjectRef = supabase?.projectRef
export const adminUrl = admin?.url
/** The admin Access application's AUD tag: set it as `admin.accessAud` (with `admin.accessTeamDomain`) so the gateway verifies Access assertions. */
export const adminAccessAud = admin?.accessAud
export const optionalParts = {
  upstash: settings.upstash.enabled,
  supabase: settings.supabase.enabled,
  semantic: settings.semantic.enabled,
  admin: settings.admin.enabled,
  customDomain: settings.domain !== undefined,
}

/**
 * Stack settings (`stacks/Pulumi.<stack>.yaml`, namespace `watchllm:`), validated at the edge.
 * Every key is documented in infra/README.md; secrets are read separately (./lib/secrets.ts).
 */
import * as pulumi from '@pulumi/pulumi'
import { z } from 'zod'
import { defaultEmbedder, embedders } from './lib/embedders.ts'

const hex32 = z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character lower-case hex id')
const hostname = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, 'must be a lower-case hostname like llm.example.com')
const awsRegion = z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, 'must be a region like us-east-1')

export const settingsSchema = z.object({
  accountId: hex32,
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, 'must be 3–40 lower-case letters, digits or dashes')
    .optional(),
  policyDir: z.string().min(1).default('policies'),
  domain: z
    .object({
      hostname,
      zoneId: hex32.optional(),
      zoneName: hostname.optional(),
      routePattern: z.string().min(3).optional(),
    })
    .refine((d) => d.zoneId !== undefined || d.zoneName !== undefined, 'needs zoneId or zoneName')
    .refine((d) => d.routePattern === undefined || d.zoneId !== undefined, 'routePattern needs zoneId')
    .optional(),
  upstash: z
    .object({
      enabled: z.boolean().default(false),
      primaryRegion: awsRegion.default('us-east-1'),
      readRegions: z.array(awsRegion).default([]),
    })
    .default({ enabled: false, primaryRegion: 'us-east-1', readRegions: [] }),
  supabase: z
    .object({
      enabled: z.boolean().default(false),
      organizationId: z.string().regex(/^[\w-]+$/, 'is the organization slug').optional(),
      region: awsRegion.default('us-east-1'),
      /** Take over this existing project (its ref) instead of creating one; never done unasked. */
      adoptProjectRef: z.string().regex(/^[a-z]{20}$/, 'is a project ref: 20 lower-case letters').optional(),
    })
    .refine((s) => !s.enabled || s.organizationId !== undefined, { message: 'needs organizationId when enabled', path: ['organizationId'] })
    .default({ enabled: false, region: 'us-east-1' }),
  semantic: z
    .object({
      enabled: z.boolean().default(false),
      embedder: z.string().min(1).default(defaultEmbedder),
      /** Only for an embedder infra does not know; must match what it produces. */
      dimensions: z.int().min(1).max(1536).optional(),
      metric: z.enum(['cosine', 'euclidean', 'dot-product']).optional(),
    })
    .refine((s) => !s.enabled || s.embedder in embedders || s.dimensions !== undefined, {
      message: `unknown embedder: set dimensions (and metric), or use one of ${Object.keys(embedders).join(', ')}`,
      path: ['embedder'],
    })
    .default({ enabled: false, embedder: defaultEmbedder }),
  admin: z
    .object({
      enabled: z.boolean().default(false),
      emails: z.array(z.email()).default([]),
      /** Access service token ids allowed in without a person (automation, `npm run smoke:cloud`). */
      serviceTokenIds: z.array(z.uuid()).default([]),
      /**
       * The Zero Trust team domain (`myteam.cloudflareaccess.com`) and the admin Access application's
       * AUD tag (stack output `adminAccessAud` after the first deploy): together they make the gateway
       * verify Access's signed assertion on every admin call (worker/src/admin-api/access-jwt.ts).
       */
      accessTeamDomain: z.string().regex(/^[a-z0-9-]+\.cloudflareaccess\.com$/, 'must be <team>.cloudflareaccess.com').optional(),
      accessAud: z.string().regex(/^[0-9a-f]{64}$/, 'must be the application AUD tag (64 hex characters)').optional(),
    })
    .refine((a) => (a.accessTeamDomain === undefined) === (a.accessAud === undefined), {
      message: 'accessTeamDomain and accessAud go together',
      path: ['accessAud'],
    })
    .refine((a) => !a.enabled || a.emails.length > 0, { message: 'needs at least one email for Cloudflare Access', path: ['emails'] })
    .default({ enabled: false, emails: [], serviceTokenIds: [] }),
  d1: z
    .object({ locationHint: z.enum(['wnam', 'enam', 'weur', 'eeur', 'apac', 'oc']).optional() })
    .default({}),
  build: z
    .object({
      wranglerConfig: z.string().default('worker/wrangler.jsonc'),
      /** A bundle already built by `npm run build:worker` (CI artifacts); skips the build. */
      workerBundleDir: z.string().optional(),
      /** An admin site already built; skips `astro build`. */
      adminDistDir: z.string().optional(),
      postgresMigrationsDir: z.string().default('worker/migrations/postgres'),
    })
    .default({ wranglerConfig: 'worker/wrangler.jsonc', postgresMigrationsDir: 'worker/migrations/postgres' }),
  /** API base URLs, only for tests and corporate proxies. */
  api: z.object({ cloudflare: z.url().optional(), supabase: z.url().optional() }).default({}),
})

export type StackSettings = z.output<typeof settingsSchema> & { name: string }

const keys = Object.keys(settingsSchema.shape) as (keyof typeof settingsSchema.shape)[]
const scalarKeys = new Set<string>(['accountId', 'name', 'policyDir'])

export type SettingsResult = { ok: true; value: StackSettings } | { ok: false; error: string[] }

/** Validates the stack's settings; issues read `watchllm:upstash.primaryRegion: must be …`. */
export function readStackSettings(config: pulumi.Config, stack: string): SettingsResult {
  const raw: Record<string, unknown> = {}
  for (const key of keys) raw[key] = scalarKeys.has(key) ? config.get(key) : config.getObject<unknown>(key)
  const parsed = settingsSchema.safeParse(raw)
  if (!parsed.success)
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${config.name}:${i.path.join('.')}: ${i.message}`),
    }
  return { ok: true, value: { ...parsed.data, name: parsed.data.name ?? `watchllm-${stack.toLowerCase().replace(/[^a-z0-9-]/g, '-')}` } }
}

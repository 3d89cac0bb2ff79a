/**
 * Pulumi unit-test mocks: records every resource the program registers (type, name, inputs as
 * the engine would receive them) and answers with plausible computed outputs per resource type.
 */
import * as pulumi from '@pulumi/pulumi'

export interface RecordedResource {
  type: string
  name: string
  inputs: Record<string, unknown>
}

/** The RPC form a secret takes on the wire (and in mock inputs): `{ <sig>: <secret sig>, value }`. */
const sigKey = '4dabf18193072939515e22adb298388d'
const secretSig = '1b47061264138c4ac30d75fd1eb44270'

export function isSecretValue(v: unknown): v is { value: unknown } {
  return v !== null && typeof v === 'object' && (v as Record<string, unknown>)[sigKey] === secretSig
}

/** Strips secret wrappers, for asserting on values. */
export function reveal(v: unknown): unknown {
  if (isSecretValue(v)) return reveal(v.value)
  if (Array.isArray(v)) return v.map(reveal)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]))
  return v
}

/** Every string reachable in `v` without passing through a secret wrapper. */
export function plaintextStrings(v: unknown, out: string[] = []): string[] {
  if (isSecretValue(v)) return out
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) for (const x of v) plaintextStrings(x, out)
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) plaintextStrings(x, out)
  return out
}

/** The REST token the mocked Upstash database "returns": tests check it only ever travels as a secret. */
export const mockUpstashRestToken = 'upstash-rest-token-from-mock-0123456789'

function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case 'cloudflare:index/d1Database:D1Database':
      return { uuid: `uuid-${name}` }
    case 'cloudflare:index/queue:Queue':
      return { queueId: `queue-id-${name}` }
    case 'cloudflare:index/pagesProject:PagesProject':
      return { subdomain: `${String(inputs['name'])}.pages.dev` }
    case 'upstash:index/redisDatabase:RedisDatabase':
      return { endpoint: `${name}.upstash.io`, restToken: mockUpstashRestToken, databaseId: `upstash-${name}` }
    case 'pulumi-nodejs:dynamic/watchllm:SupabaseProject':
      return { ref: 'mockprojectref', status: 'ACTIVE_HEALTHY', dbHost: 'aws-0-eu-central-1.pooler.supabase.com', dbPort: 5432, dbUser: 'postgres.mockprojectref', dbName: 'postgres' }
    case 'pulumi-nodejs:dynamic/watchllm:D1Migrations':
    case 'pulumi-nodejs:dynamic/watchllm:SupabaseMigrations': {
      const files = reveal(inputs['migrations'])
      return { applied: Array.isArray(files) ? files.map((f) => ({ name: (f as { name: string }).name, sha256: (f as { sha256: string }).sha256 })) : [] }
    }
    default:
      return {}
  }
}

/** Installs mocks for one program run; returns the live list of registered resources. */
export async function installMocks(stack: string, preview = false): Promise<RecordedResource[]> {
  const resources: RecordedResource[] = []
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Record<string, unknown>
        resources.push({ type: args.type, name: args.name, inputs })
        return { id: `${args.name}-id`, state: { ...inputs, ...computed(args.type, args.name, inputs) } }
      },
      call: () => ({}),
    },
    'watchllm',
    stack,
    preview,
  )
  return resources
}

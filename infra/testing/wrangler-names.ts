/**
 * The binding names worker/wrangler.jsonc declares, read straight from the raw JSONC — on purpose
 * not through infra/lib/wrangler-config.ts, so the both-ways check compares two independent readings.
 */
import { readFile } from 'node:fs/promises'
import { parse } from 'jsonc-parser'

type Json = Record<string, unknown>

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : [])

export async function declaredBindingNames(path: string): Promise<{ all: string[]; byKind: Record<string, string[]> }> {
  const c = parse(await readFile(path, 'utf8')) as Json
  const queues = (c['queues'] ?? {}) as Json
  const durable = (c['durable_objects'] ?? {}) as Json
  const single = (v: unknown): string[] => (v && typeof v === 'object' ? [String((v as Json)['binding'])] : [])
  const byKind: Record<string, string[]> = {
    vars: Object.keys((c['vars'] ?? {}) as Json),
    kv: list(c['kv_namespaces']).map((b) => String(b['binding'])),
    d1: list(c['d1_databases']).map((b) => String(b['binding'])),
    queue: list(queues['producers']).map((b) => String(b['binding'])),
    ai: single(c['ai']),
    vectorize: list(c['vectorize']).map((b) => String(b['binding'])),
    hyperdrive: list(c['hyperdrive']).map((b) => String(b['binding'])),
    durableObjects: list(durable['bindings']).map((b) => String(b['name'])),
    ratelimits: list(c['ratelimits']).map((b) => String(b['name'])),
    versionMetadata: single(c['version_metadata']),
  }
  return { all: Object.values(byKind).flat().sort(), byKind }
}

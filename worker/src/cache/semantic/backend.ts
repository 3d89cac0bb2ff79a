/**
 * The embedder, vector index and entry table a project's semantic cache uses, chosen from policy
 * and the bindings present, built once per isolate (per env object and config). `index: auto`
 * takes Vectorize when VECTORS is bound, else the D1 store. Undefined when something required is
 * missing: the stage then skips the semantic cache (fail open).
 */
import type { GatewayEnv } from '../../env.ts'
import { canonicalJson } from '../../lib/hash.ts'
import type { ProviderPolicy, SemanticCachePolicy } from '../../policy/schema.ts'
import type { MirrorRegistry } from './context-mirror.ts'
import { d1VectorIndex } from './d1-index.ts'
import { embedderFor, type Embedder } from './embedder.ts'
import { SemanticEntries } from './entries.ts'
import type { VectorIndex } from './vector-index.ts'
import { vectorizeIndex } from './vectorize-index.ts'

export interface SemanticBackend {
  embedder: Embedder
  index: VectorIndex
  entries: SemanticEntries
}

export interface BackendDeps {
  mirrors: MirrorRegistry
  now: () => number
  syncIntervalMs?: number
  fetch?: typeof fetch
}

export function semanticBackends(
  providers: Record<string, ProviderPolicy>,
  deps: BackendDeps,
): (config: SemanticCachePolicy, env: GatewayEnv) => SemanticBackend | undefined {
  const built = new WeakMap<object, Map<string, SemanticBackend | null>>()
  return function semanticBackendFor(config, env) {
    let byConfig = built.get(env)
    if (!byConfig) built.set(env, (byConfig = new Map()))
    const key = canonicalJson([config.embedder, config.index])
    let backend = byConfig.get(key)
    if (backend === undefined) byConfig.set(key, (backend = build(config, env) ?? null))
    return backend ?? undefined
  }

  function build(config: SemanticCachePolicy, env: GatewayEnv): SemanticBackend | undefined {
    const embedder = embedderFor(config.embedder, providers, env, deps.fetch)
    if (!embedder || !env.DB) return undefined
    const entries = new SemanticEntries(env.DB)
    const useVectorize = config.index === 'vectorize' || (config.index === 'auto' && env.VECTORS !== undefined)
    if (useVectorize && !env.VECTORS) return undefined
    const index = useVectorize && env.VECTORS
      ? vectorizeIndex(env.VECTORS, entries, deps.now)
      : d1VectorIndex({ entries, mirrors: deps.mirrors, now: deps.now, syncIntervalMs: deps.syncIntervalMs })
    return { embedder, index, entries }
  }
}

/**
 * The embedder behind the semantic cache, one interface for Workers AI (production default),
 * any OpenAI-compatible provider from policy, and the local endpoint `npm start` runs. Which one
 * policy chooses (`cache.semantic.embedder`); `auto` takes Workers AI when the AI binding exists,
 * else the local endpoint when EMBEDDINGS_URL is set, else none: the semantic cache is skipped
 * (fail open). There is no fake embedder.
 *
 * @example
 * const embedder = embedderFor(project.cache.semantic.embedder, policy.providers, env)
 * const [vector] = (await embedder?.embed(['How do I reset my password?'])) ?? []
 */
import type { GatewayEnv } from '../../env.ts'
import { resolveTargets } from '../../middleware/resolve-route.ts'
import type { ProviderPolicy, SemanticCachePolicy } from '../../policy/schema.ts'
import { openAiEmbedder } from './openai-embedder.ts'
import { WORKERS_AI_EMBEDDING_MODEL, workersAiEmbedder } from './workers-ai-embedder.ts'

export interface Embedder {
  /**
   * Which model made the vectors, e.g. `workers-ai:@cf/baai/bge-base-en-v1.5`. Part of every
   * context key: vectors of different models are never compared.
   */
  readonly id: string
  /** Known ahead for built-in models; otherwise learnt from the first vector. */
  readonly dimensions: number | undefined
  /** One unit-length vector per text, in order. Rejects on any failure or timeout. */
  embed(texts: readonly string[]): Promise<Float32Array[]>
}

/** The id the local endpoint (scripts/embeddings-server.ts) serves: USE-lite, 512-d. */
export const LOCAL_EMBEDDING_MODEL = 'use-lite-512'

/** Provider types whose API has an OpenAI-shaped `/embeddings`. */
const EMBEDDING_PROVIDERS = new Set(['openai', 'openai-compatible'])
const OPENAI_BASE_URL = 'https://api.openai.com/v1'

export function embedderFor(
  config: SemanticCachePolicy['embedder'],
  providers: Record<string, ProviderPolicy>,
  env: GatewayEnv,
  doFetch?: typeof fetch,
): Embedder | undefined {
  const timeoutMs = config.timeout_ms
  const local = () =>
    env.EMBEDDINGS_URL
      ? openAiEmbedder({
          id: `local:${config.model ?? LOCAL_EMBEDDING_MODEL}`,
          baseUrl: withVersion(env.EMBEDDINGS_URL),
          model: config.model ?? LOCAL_EMBEDDING_MODEL,
          timeoutMs,
          requireModel: true,
          fetch: doFetch,
        })
      : undefined
  const workersAi = () => (env.AI ? workersAiEmbedder(env.AI, config.model ?? WORKERS_AI_EMBEDDING_MODEL, timeoutMs) : undefined)

  switch (config.type) {
    case 'auto':
      return workersAi() ?? local()
    case 'workers-ai':
      return workersAi()
    case 'local':
      return local()
    case 'provider': {
      const name = config.provider ?? ''
      const model = config.model ?? ''
      const provider = providers[name]
      if (!provider || !EMBEDDING_PROVIDERS.has(provider.type)) return undefined
      // The same secret and base-URL resolution as a route target: unset secrets mean "not configured".
      const [target] = resolveTargets(model, { kind: 'embeddings', targets: [{ provider: name, model }], retry: { attempts: 0, backoff_ms: 0 }, timeout_ms: timeoutMs }, providers, env)
      if (!target) return undefined
      return openAiEmbedder({
        id: `provider:${name}:${model}`,
        baseUrl: target.baseUrl ?? OPENAI_BASE_URL,
        model,
        apiKey: target.apiKey,
        headers: target.headers,
        timeoutMs,
        fetch: doFetch,
      })
    }
  }
}

/** `http://127.0.0.1:8790` and `http://127.0.0.1:8790/v1` both mean the endpoint's `/v1`. */
function withVersion(url: string): string {
  const trimmed = url.replace(/\/+$/, '')
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`
}

/**
 * Stand-ins for bindings in an outage: every call fails the way the real one does when its service
 * is down (a rejected promise, or a throw for the synchronous parts). Used by the faults suite.
 */
import { failingD1, failingQueue } from '../telemetry/helpers.ts'

const down = (what: string) => () => Promise.reject(new Error(`${what}: simulated outage`))

export const brokenKv = (): KVNamespace =>
  ({ get: down('KV'), getWithMetadata: down('KV'), put: down('KV'), delete: down('KV'), list: down('KV') }) as unknown as KVNamespace

export const brokenVectorize = (): VectorizeIndex =>
  ({ query: down('Vectorize'), upsert: down('Vectorize'), insert: down('Vectorize'), deleteByIds: down('Vectorize'), getByIds: down('Vectorize'), describe: down('Vectorize') }) as unknown as VectorizeIndex

/** A Durable Object namespace whose objects cannot be reached. */
export const brokenDurableObjects = (): DurableObjectNamespace => {
  const stub = new Proxy({}, { get: () => down('Durable Object') })
  return { idFromName: () => ({ toString: () => 'x' }), get: () => stub, getByName: () => stub } as unknown as DurableObjectNamespace
}

export { failingD1 as brokenD1, failingQueue as brokenQueue }

/** Upstash whose REST endpoint refuses connections (nothing listens on port 1). */
export const brokenUpstash = { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1', UPSTASH_REDIS_REST_TOKEN: 'unused-token-value' }

/** An embeddings endpoint that refuses connections. */
export const brokenEmbedder = { EMBEDDINGS_URL: 'http://127.0.0.1:1/v1' }

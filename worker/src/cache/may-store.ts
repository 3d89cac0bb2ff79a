/**
 * Whether a cache may keep an answer. Answers the `mock` provider made up are kept only in local
 * development (WATCHLLM_ENV=local): in the cloud a real provider's 429 answered by `mock` must never
 * become every later caller's cached answer. (Production policies cannot route to `mock` at all;
 * this guard holds even for a bundle built from a local policy.)
 *
 * @example if (answer && mayStore(answer, c.env)) await store.put(key, encodeAnswer(answer), ttl)
 */
import type { GatewayEnv, StoredAnswer } from '../env.ts'

export function mayStore(answer: StoredAnswer, env: Pick<GatewayEnv, 'WATCHLLM_ENV'>): boolean {
  return answer.simulated !== true || env.WATCHLLM_ENV === 'local'
}

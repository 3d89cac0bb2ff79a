/**
 * `GET /health`: liveness plus the deployed policy's hash, so a deploy can be verified from outside.
 * Names no projects, keys or providers.
 */
import type { Handler } from 'hono'
import type { AppEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'

export function health(policy: CompiledPolicy): Handler<AppEnv> {
  return function healthHandler(c) {
    return c.json({ status: 'ok', policy_hash: policy.hash, environment: c.env.WATCHLLM_ENV })
  }
}

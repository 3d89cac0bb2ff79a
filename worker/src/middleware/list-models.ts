/**
 * `GET /v1/models`: the model aliases the caller's project may use, in OpenAI's list shape.
 *
 * @example app.get('/v1/models', listModels(policy))
 */
import type { Handler } from 'hono'
import type { AppEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { mayUse } from './resolve-route.ts'

export function listModels(policy: CompiledPolicy): Handler<AppEnv> {
  return function listModelsHandler(c) {
    const allowed = c.get('project').models
    const data = Object.keys(policy.models)
      .filter((alias) => mayUse(allowed, alias))
      .sort()
      .map((id) => ({ id, object: 'model', created: 0, owned_by: 'watchllm' }))
    return c.json({ object: 'list', data })
  }
}

/**
 * `POST /v1/messages/count_tokens`, in Anthropic's shape: the route's first Anthropic target is
 * asked (its count is exact and free); with none — or when it fails — the answer is the gateway's
 * own estimate (UTF-8 bytes ÷ 3 over the chat view, the limit stage's figure: it errs high), and
 * `X-WatchLLM-Token-Count: estimate` says so. Runs after the guard (what would be sent is what
 * is counted); makes no usage event and draws on no limit.
 *
 * @example app.post('/v1/messages/count_tokens', validate(…, messagesShape), resolveRoute(policy), guard, countTokens())
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { promptTokens } from '../governance/estimate.ts'
import { providers } from '../providers/registry.ts'
import { nativeBody } from '../shapes/native.ts'
import { messagesShape } from '../shapes/messages/index.ts'

export function countTokens(): MiddlewareHandler<AppEnv> {
  return async function countTokensStage(c) {
    const target = c.get('route').targets.find((t) => t.config.type === 'anthropic')
    const count = target && providers.anthropic.countTokens
    if (target && count) {
      const { stream: _stream, max_tokens: _max, ...body } = nativeBody(c, messagesShape)
      const signal = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(target.timeoutMs)])
      const counted = await count(body, { target, signal, env: c.env, headers: c.get('native')?.passHeaders ?? {} }).catch(() => undefined)
      if (counted) return c.json({ input_tokens: counted.input_tokens }, 200, { 'X-WatchLLM-Token-Count': 'provider', 'X-WatchLLM-Provider': target.provider })
    }
    return c.json({ input_tokens: promptTokens(c.get('body'), 'chat') }, 200, { 'X-WatchLLM-Token-Count': 'estimate' })
  }
}

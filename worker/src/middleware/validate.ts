/**
 * Parse and validate: a size limit (the project's `request.max_body_bytes`, counted while the body
 * is read, chunked or not), JSON nested at most MAX_JSON_DEPTH deep, then the endpoint's schema.
 * Every failure is a 400/413/415 naming the field, never a 500.
 *
 * @example app.post('/v1/chat/completions', validate('chat', chatRequestSchema), …)
 */
import type { MiddlewareHandler } from 'hono'
import type { z } from 'zod'
import type { AppEnv, Endpoint } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { prepareNative } from '../shapes/native.ts'
import type { Shape } from '../shapes/types.ts'
import { parseJsonBody } from './json-body.ts'

/** With a `shape` (Messages, Responses), the body is that shape's, and the chat view of it becomes `c.get('body')` (shapes/native.ts). */
export function validate(endpoint: Endpoint, schema: z.ZodType<Record<string, unknown>>, shape?: Shape): MiddlewareHandler<AppEnv> {
  return async function validateStage(c, next) {
    const limit = c.get('project').request.max_body_bytes
    const declared = Number(c.req.header('content-length') ?? '0')
    if (declared > limit) throw tooLarge(limit)
    const type = c.req.header('content-type') ?? 'application/json'
    if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type) && !/^text\/plain\b/i.test(type))
      throw new GatewayError(415, 'unsupported_media_type', `Send the body as application/json (got ${type.slice(0, 60)}).`)

    const json = await parseJsonBody(c.req.raw, limit)
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const param = issue.path.join('.') || null
      throw new GatewayError(400, 'invalid_request', param ? `${param}: ${issue.message}` : issue.message, param)
    }
    c.set('endpoint', endpoint)
    if (shape) await prepareNative(c, shape, parsed.data)
    else c.set('body', parsed.data)
    c.get('facts').modelRequested = String(parsed.data.model)
    c.get('facts').stream = parsed.data.stream === true
    await next()
  }
}

const tooLarge = (limit: number) =>
  new GatewayError(413, 'payload_too_large', `The body is larger than this project's limit of ${limit} bytes.`)

/**
 * `POST /v1/feedback {request_id, score, label?}`: a score for one answer, so experiment variants
 * compare on quality, not only cost and latency. `request_id` is the answer's
 * `X-WatchLLM-Request-Id`. Stored at once in D1 under the caller's project — the request's usage
 * event may still be in the queue, so the admin joins the two on (project, request_id): a key can
 * only ever rate its own project's requests, and rating again replaces the score. The answer says
 * whether the request is already known (`request_found`), without revealing other projects' ids.
 *
 * @example app.post('/v1/feedback', recordFeedback())
 */
import type { MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { parseJsonBody } from './json-body.ts'

const MAX_BODY_BYTES = 4096

export const feedbackSchema = z.strictObject({
  request_id: z.string().regex(/^[\w.:-]{1,128}$/, 'must be the X-WatchLLM-Request-Id of an answer'),
  /** Any scale the team chooses, used alike across variants: 1 / 0 for thumbs, 1–5 for stars… */
  score: z.number().min(-100).max(100),
  label: z.string().regex(/^[\w .:/-]{1,64}$/, 'must be 1–64 letters, digits, spaces or . _ : / -').optional(),
})

export type FeedbackResponse = { object: 'feedback'; request_id: string; score: number; label: string | null; request_found: boolean }

export function recordFeedback(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function recordFeedbackStage(c) {
    const json = await parseJsonBody(c.req.raw, MAX_BODY_BYTES, `Feedback is at most ${MAX_BODY_BYTES} bytes.`)
    const parsed = feedbackSchema.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const param = issue.code === 'unrecognized_keys' ? (issue.keys[0] ?? null) : issue.path.join('.') || null
      throw new GatewayError(400, 'invalid_request', `${param ?? 'body'}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}`, param)
    }
    const { request_id, score, label } = parsed.data
    const { project, keyId } = c.get('caller')
    let found: unknown
    try {
      const [, lookup] = await c.env.DB.batch([
        c.env.DB.prepare(
          `INSERT INTO feedback (project, request_id, key_id, score, label, ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
           ON CONFLICT (project, request_id) DO UPDATE SET key_id = excluded.key_id, score = excluded.score, label = excluded.label, ts = excluded.ts`,
        ).bind(project, request_id, keyId, score, label ?? null, now()),
        c.env.DB.prepare('SELECT 1 AS found FROM usage_events WHERE request_id = ?1 AND project = ?2').bind(request_id, project),
      ])
      found = lookup?.results[0]
    } catch (e) {
      throw new GatewayError(503, 'storage_unavailable', 'Feedback could not be stored just now; send it again.', null, e)
    }
    return c.json<FeedbackResponse>({ object: 'feedback', request_id, score, label: label ?? null, request_found: found !== undefined })
  }
}

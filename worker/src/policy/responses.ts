/**
 * `projects.<p>.responses`: how long the Responses the gateway answers are kept (D1), so that
 * `previous_response_id` and `GET /v1/responses/{id}` work whichever provider answered. 0 keeps
 * none (every request is then as if it said `store: false`).
 *
 * @example responses: { retention_days: 7 }
 */
import { z } from 'zod'

export const responsesPolicySchema = z
  .strictObject({
    retention_days: z.number().min(0).max(400).default(30),
  })
  .default({ retention_days: 30 })

export type ResponsesPolicy = z.output<typeof responsesPolicySchema>

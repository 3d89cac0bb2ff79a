/**
 * The Responses the gateway answered, kept per project in D1 (table `responses`, migration 0007)
 * for the policy's retention, so `previous_response_id` works whichever provider answered, and
 * `GET /v1/responses/{id}` returns one — to its own project only. Each row holds its request's own
 * input items and the Response (both as the provider saw them: redacted); a chain is read back in
 * one recursive query, oldest first.
 *
 * D1 rather than KV: a client sends the next turn the moment it has the answer, and KV's reads may
 * lag a write by up to a minute (negative lookups are cached too); D1 reads see committed writes.
 */
import { GatewayError } from '../../errors.ts'

type Json = Record<string, unknown>

/** Rows past their retention deleted per insert: keeps the table bounded without a cron job. */
const SWEEP_ROWS = 50
/** The longest chain followed: past it the conversation is cut (its oldest turns forgotten). */
const MAX_CHAIN = 1_000

export interface StoredResponse {
  project: string
  keyId: string
  id: string
  previousId: string | null
  input: Json[]
  response: Json
}

export async function saveResponse(db: D1Database, row: StoredResponse, retentionMs: number, now: number): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO responses (project, id, previous_id, key_id, created_at, expires_at, input, response) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (project, id) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)`,
      )
      .bind(row.project, row.id, row.previousId, row.keyId, now, now + retentionMs, JSON.stringify(row.input), JSON.stringify(row.response)),
    db.prepare(`DELETE FROM responses WHERE (project, id) IN (SELECT project, id FROM responses WHERE expires_at <= ?1 LIMIT ${SWEEP_ROWS})`).bind(now),
  ])
}

export async function loadResponse(db: D1Database, project: string, id: string, now: number): Promise<Json | undefined> {
  const row = await db.prepare('SELECT response FROM responses WHERE project = ?1 AND id = ?2 AND expires_at > ?3').bind(project, id, now).first<{ response: string }>()
  return row ? (JSON.parse(row.response) as Json) : undefined
}

export async function deleteResponse(db: D1Database, project: string, id: string): Promise<boolean> {
  const result = await db.prepare('DELETE FROM responses WHERE project = ?1 AND id = ?2').bind(project, id).run()
  return (result.meta.changes ?? 0) > 0
}

/**
 * The items of the conversation `id` ends: every earlier request's input then its output, oldest
 * first (a chain's `instructions` are not carried over, as OpenAI does). A missing or expired link
 * is a 404 naming it. The write of the response just before may still be on its way (it is
 * committed after the client has its answer): a miss is re-read a few times, about a second in all.
 */
export async function loadConversation(db: D1Database, project: string, id: string, now: number, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<Json[]> {
  for (const wait of [0, 50, 150, 300, 500]) {
    if (wait) await sleep(wait)
    const rows = await readChain(db, project, id, now)
    if (rows.length === 0) continue
    const oldest = rows[0]!
    if (oldest.previous_id && rows.length < MAX_CHAIN) throw notFound(oldest.previous_id)
    return rows.flatMap((r) => [...(JSON.parse(r.input) as Json[]), ...(((JSON.parse(r.response) as Json).output as Json[] | undefined) ?? [])])
  }
  throw notFound(id)
}

interface ChainRow {
  previous_id: string | null
  input: string
  response: string
}

async function readChain(db: D1Database, project: string, id: string, now: number): Promise<ChainRow[]> {
  const { results } = await db
    .prepare(
      `WITH RECURSIVE chain (id, previous_id, input, response, depth) AS (
         SELECT id, previous_id, input, response, 0 FROM responses WHERE project = ?1 AND id = ?2 AND expires_at > ?3
         UNION ALL
         SELECT r.id, r.previous_id, r.input, r.response, chain.depth + 1 FROM responses r JOIN chain ON r.project = ?1 AND r.id = chain.previous_id
         WHERE r.expires_at > ?3 AND chain.depth < ${MAX_CHAIN - 1}
       )
       SELECT previous_id, input, response FROM chain ORDER BY depth DESC`,
    )
    .bind(project, id, now)
    .all<ChainRow>()
  return results
}

const notFound = (id: string) => new GatewayError(404, 'not_found', `Previous response with id '${id}' not found (it was never stored, belongs to another project, was stored with store: false, or is past this project's retention).`, 'previous_response_id')

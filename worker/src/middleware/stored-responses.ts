/**
 * `GET /v1/responses/{id}` and `DELETE /v1/responses/{id}`: a Response the gateway kept, to the
 * project that made it only — any other project (or an id past retention) gets the same 404.
 *
 * @example app.get('/v1/responses/:id', storedResponse()); app.delete('/v1/responses/:id', deleteStoredResponse())
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { deleteResponse, loadResponse } from '../shapes/responses/store.ts'

export function storedResponse(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function storedResponseStage(c) {
    const response = await loadResponse(database(c), c.get('caller').project, c.req.param('id') ?? '', now())
    if (!response) throw notFound(c)
    return c.json(response)
  }
}

export function deleteStoredResponse(): MiddlewareHandler<AppEnv> {
  return async function deleteStoredResponseStage(c) {
    const id = c.req.param('id') ?? ''
    if (!(await deleteResponse(database(c), c.get('caller').project, id))) throw notFound(c)
    return c.json({ id, object: 'response.deleted', deleted: true })
  }
}

function database(c: Context<AppEnv>): D1Database {
  if (!c.env.DB) throw new GatewayError(503, 'storage_unavailable', 'Stored responses need the gateway’s D1 store, which is not bound.')
  return c.env.DB
}

const notFound = (c: Context<AppEnv>) => new GatewayError(404, 'not_found', `No response with id '${c.req.param('id')}' is stored for this project.`, 'id')

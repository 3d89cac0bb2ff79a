/**
 * The one way the gateway reads a JSON request body: bytes counted against a limit while they are
 * read (413 at the limit, the rest never pulled), UTF-8, JSON, and nesting no deeper than
 * MAX_JSON_DEPTH (400) — so nothing recursive after it ever sees a hostile shape.
 */
import { GatewayError } from '../errors.ts'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../lib/json-depth.ts'
import { readBodyLimited } from '../lib/read-body.ts'

const decoder = new TextDecoder()

export async function parseJsonBody(request: Request, limit: number, tooLarge = `The body is larger than this project's limit of ${limit} bytes.`): Promise<unknown> {
  const read = await readBodyLimited(request.body, limit)
  if (!read.ok) {
    if (read.error.reason === 'too_large') throw new GatewayError(413, 'payload_too_large', tooLarge)
    throw new GatewayError(400, 'invalid_request', 'The request body could not be read (the connection broke or its encoding is invalid).')
  }
  let json: unknown
  try {
    json = JSON.parse(decoder.decode(read.value))
  } catch (e) {
    throw new GatewayError(400, 'invalid_json', `The body is not valid JSON: ${(e as Error).message.slice(0, 200)}`)
  }
  if (jsonDepthExceeds(json))
    throw new GatewayError(400, 'invalid_json', `The body nests JSON deeper than ${MAX_JSON_DEPTH} levels (objects and arrays); flatten it.`)
  return json
}

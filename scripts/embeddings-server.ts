/**
 * A local OpenAI-compatible embeddings endpoint: the stand-in for Workers AI embeddings
 * when the gateway runs on this machine (`npm start`). It serves a real model
 * (USE-lite, 512-d, see ./semantic/embedder.ts), loaded once, and batches inputs.
 *
 *   POST /v1/embeddings  {model, input: string | string[], encoding_format?: 'float'|'base64'}
 *   GET  /v1/models      the one model served
 *   GET  /healthz        200 once the model is loaded
 *
 * Run directly: `node scripts/embeddings-server.ts` (Node 22 strips the types), listening on
 * 127.0.0.1:$EMBEDDINGS_PORT (default 8790). Or in-process:
 *
 * @example
 * const server = await startEmbeddingsServer({ port: 0 })
 * const res = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'x', input: 'hi' }) })
 * await server.close()
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import { loadEmbedder, type Embedder } from './semantic/embedder.ts'

export const DEFAULT_EMBEDDINGS_PORT = 8790
/** Bounds on one request, so a bad client cannot hold the model or the heap. */
const MAX_BODY_BYTES = 4 * 1024 * 1024
const MAX_INPUTS = 2048
const MAX_INPUT_CHARS = 32_768

export interface EmbeddingsServerOptions {
  /** 0 picks a free port (tests). */
  port: number
  host?: string
}

export interface EmbeddingsServer {
  /** Base URL without the `/v1` suffix, e.g. `http://127.0.0.1:8790`. */
  url: string
  model: string
  /** Milliseconds it took to load the weights (once per process). */
  loadMs: number
  close(): Promise<void>
}

const inputText = z.string().min(1, 'must be a non-empty string').max(MAX_INPUT_CHARS, `must be at most ${MAX_INPUT_CHARS} characters`)

const requestSchema = z.object({
  model: z.string().min(1, 'must be a non-empty string'),
  input: z.union([inputText, z.array(inputText).min(1, 'must not be empty').max(MAX_INPUTS, `must hold at most ${MAX_INPUTS} strings`)], {
    error: 'must be a non-empty string or an array of non-empty strings',
  }),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
})

interface OpenAiError {
  status: number
  message: string
  type: 'invalid_request_error' | 'server_error'
  param: string | null
  code: string | null
}

/** Starts the endpoint after the model is loaded, so a resolved server is ready to answer. */
export async function startEmbeddingsServer(options: EmbeddingsServerOptions): Promise<EmbeddingsServer> {
  const embedder = await loadEmbedder()
  const host = options.host ?? '127.0.0.1'

  const server = createServer((req, res) => {
    handle(embedder, req, res).catch(() => {
      sendError(res, { status: 500, message: 'The embedding model failed.', type: 'server_error', param: null, code: null })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${urlHost}:${port}`,
    model: embedder.model,
    loadMs: embedder.loadMs,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((cause) => (cause ? reject(cause) : resolve()))
        server.closeAllConnections()
      }),
  }
}

async function handle(embedder: Embedder, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://local').pathname
  if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true, model: embedder.model })
  if (req.method === 'GET' && path === '/v1/models') {
    return sendJson(res, 200, { object: 'list', data: [{ id: embedder.model, object: 'model', created: 0, owned_by: 'local' }] })
  }
  if (path !== '/v1/embeddings') return sendError(res, invalid(404, `Unknown path ${path}.`, null, 'not_found'))
  if (req.method !== 'POST') return sendError(res, invalid(405, 'Use POST for /v1/embeddings.', null, 'method_not_allowed'))

  const body = await readBody(req)
  if (body === undefined) return sendError(res, invalid(413, `Request body exceeds ${MAX_BODY_BYTES} bytes.`, null, 'body_too_large'))
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return sendError(res, invalid(400, 'Request body is not valid JSON.', null, 'invalid_json'))
  }
  const parsed = requestSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const param = issue?.path.map(String).join('.') || null
    return sendError(res, invalid(400, `${param ?? 'body'}: ${issue?.message ?? 'invalid'}`, param, 'invalid_value'))
  }
  const request = parsed.data
  if (request.dimensions !== undefined && request.dimensions !== embedder.dims) {
    return sendError(res, invalid(400, `dimensions: this model only produces ${embedder.dims}.`, 'dimensions', 'invalid_value'))
  }

  const texts = typeof request.input === 'string' ? [request.input] : request.input
  const vectors = await embedder.embed(texts)
  const tokens = texts.reduce((sum, t) => sum + embedder.countTokens(t), 0)
  const base64 = request.encoding_format === 'base64'
  sendJson(res, 200, {
    object: 'list',
    data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(v) : v })),
    model: embedder.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  })
}

/** The body as text, or undefined once it passes the size bound (reading stops there). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(buf)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** OpenAI's base64 encoding: little-endian float32, as the official SDKs decode it. */
function toBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64')
}

function invalid(status: number, message: string, param: string | null, code: string): OpenAiError {
  return { status, message, type: 'invalid_request_error', param, code }
}

function sendError(res: ServerResponse, e: OpenAiError): void {
  sendJson(res, e.status, { error: { message: e.message, type: e.type, param: e.param, code: e.code } })
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  if (res.headersSent) return void res.end()
  const text = JSON.stringify(payload)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** EMBEDDINGS_PORT, validated: a typo should fail loudly, not bind a surprise port. */
export function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_EMBEDDINGS_PORT
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`EMBEDDINGS_PORT must be a port number, got "${value}"`)
  return port
}

const runDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (runDirectly) {
  const server = await startEmbeddingsServer({ port: portFromEnv(process.env.EMBEDDINGS_PORT), host: process.env.EMBEDDINGS_HOST })
  console.log(`embeddings: ${server.url}/v1/embeddings (${server.model}, 512-d, loaded in ${Math.round(server.loadMs)} ms)`)
  const stop = (): void => void server.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

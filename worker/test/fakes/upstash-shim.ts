/**
 * An Upstash-REST-compatible HTTP server over a real `redis-server`, enough for `@upstash/redis`
 * and `@upstash/ratelimit` in tests (nothing Upstash-specific is faked: Redis answers):
 *
 * - `POST /` with a JSON command array (`["SET","k","v","EX",60]`) → `{result}` or 400 `{error}`;
 * - `POST /pipeline` and `POST /multi-exec` with an array of commands → `[{result} | {error}, …]`;
 * - `Authorization: Bearer <token>` required (401 otherwise);
 * - `Upstash-Encoding: base64` (the client's default): string results are base64-encoded,
 *   recursively in arrays, except the status reply `OK`;
 * - Lua scripts: `@upstash/ratelimit` starts its scripts with `#!lua flags=allow-key-locking`, an
 *   Upstash-only flag plain Redis rejects, so the shim strips that line. Clients address scripts by
 *   the SHA-1 of what they sent, so the shim maps that SHA to the stripped script's SHA for EVALSHA.
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Redis from 'ioredis'

export interface UpstashShim {
  url: string
  token: string
  close(): Promise<void>
}

type Command = (string | number)[]
type Reply = { result: unknown } | { error: string }

const UPSTASH_SHEBANG = /^#!lua[^\n]*\bflags=[^\n]*\n/

export async function startUpstashShim(options: { redisUrl: string; token: string }): Promise<UpstashShim> {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false })
  /** SHA-1 of the script as the client sent it → SHA-1 of the script Redis actually holds. */
  const shas = new Map<string, string>()

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => send(res, 500, { error: `ERR shim: ${String(e)}` }))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${options.token}`) return send(res, 401, { error: 'Unauthorized' })
    if (req.method !== 'POST') return send(res, 405, { error: 'ERR only POST is supported by the test shim' })
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64'
    const path = (req.url ?? '/').split('?')[0]
    let body: unknown
    try {
      body = JSON.parse(await readBody(req))
    } catch {
      return send(res, 400, { error: 'ERR failed to parse command' })
    }
    const encode = (reply: Reply): Reply => ('result' in reply && base64 ? { result: encodeStrings(reply.result) } : reply)
    if (path === '/') {
      if (!isCommand(body)) return send(res, 400, { error: 'ERR failed to parse command' })
      const reply = await run(body)
      return send(res, 'error' in reply ? 400 : 200, encode(reply))
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(body) || !body.every(isCommand)) return send(res, 400, { error: 'ERR failed to parse pipeline request' })
      const replies = path === '/pipeline' ? await pipeline(body) : await transaction(body)
      return send(res, 200, replies.map(encode))
    }
    send(res, 404, { error: `ERR unknown endpoint ${path}` })
  }

  async function run(command: Command): Promise<Reply> {
    try {
      const result = await redis.call(...(prepare(command) as [string, ...(string | number)[]]))
      // Redis answers the stripped script's SHA; Upstash answers the SHA of what the client sent.
      if (isScriptLoad(command)) return { result: sha1(String(command[2])) }
      return { result }
    } catch (e) {
      return { error: (e as Error).message }
    }
  }

  async function pipeline(commands: Command[]): Promise<Reply[]> {
    // Sequential on one connection: the same order and visibility as Upstash's pipeline.
    const out: Reply[] = []
    for (const command of commands) out.push(await run(command))
    return out
  }

  async function transaction(commands: Command[]): Promise<Reply[]> {
    const multi = redis.multi()
    for (const command of commands) multi.call(...(prepare(command) as [string, ...(string | number)[]]))
    try {
      const results = (await multi.exec()) ?? []
      return results.map(([error, result]) => (error ? { error: error.message } : { result }))
    } catch (e) {
      return commands.map(() => ({ error: (e as Error).message }))
    }
  }

  /**
   * Rewrites script commands so plain Redis accepts them. The name is upper-cased because ioredis
   * applies client-side reply transformers by lower-case name (HGETALL → object), and the shim
   * must return what Redis said.
   */
  function prepare(command: Command): Command {
    const [first, ...args] = command
    const name = String(first).toUpperCase()
    if ((name === 'EVAL' || name === 'EVAL_RO') && typeof args[0] === 'string') return [name, remember(args[0]), ...args.slice(1)]
    if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && typeof args[0] === 'string')
      return [name, shas.get(args[0].toLowerCase()) ?? args[0], ...args.slice(1)]
    if (isScriptLoad(command)) return [name, args[0]!, remember(String(args[1]))]
    if (name === 'SCRIPT' && String(args[0]).toUpperCase() === 'EXISTS')
      return [name, args[0]!, ...args.slice(1).map((sha) => shas.get(String(sha).toLowerCase()) ?? sha)]
    return [name, ...args]
  }

  function remember(script: string): string {
    const stripped = script.replace(UPSTASH_SHEBANG, '')
    if (stripped !== script) shas.set(sha1(script), sha1(stripped))
    return stripped
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  await redis.ping()
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      redis.disconnect()
    },
  }
}

function encodeStrings(value: unknown): unknown {
  if (typeof value === 'string') return value === 'OK' ? value : Buffer.from(value, 'utf8').toString('base64')
  if (Array.isArray(value)) return value.map(encodeStrings)
  return value
}

function isScriptLoad(command: Command): boolean {
  return String(command[0]).toUpperCase() === 'SCRIPT' && String(command[1]).toUpperCase() === 'LOAD' && typeof command[2] === 'string'
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')

function isCommand(value: unknown): value is Command {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' || typeof v === 'number')
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

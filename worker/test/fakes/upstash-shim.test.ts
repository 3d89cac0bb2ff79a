import { createHash } from 'node:crypto'
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisProcess, startRedisServer } from './redis-server.ts'
import { startUpstashShim, type UpstashShim } from './upstash-shim.ts'

let redisServer: RedisProcess
let shim: UpstashShim
let redis: Redis

beforeAll(async () => {
  redisServer = await startRedisServer()
  shim = await startUpstashShim({ redisUrl: redisServer.url, token: 'test-token' })
  redis = new Redis({ url: shim.url, token: shim.token, retry: false })
})

afterAll(async () => {
  await shim?.close()
  await redisServer?.stop()
})

const raw = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${shim.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${shim.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('the Upstash REST shim, driven by the real @upstash/redis client', () => {
  it('stores a string with a TTL and reads it back', async () => {
    expect(await redis.set('greeting', 'héllo wörld', { ex: 60 })).toBe('OK')
    expect(await redis.get('greeting')).toBe('héllo wörld')
    const ttl = await redis.ttl('greeting')
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(60)
  })

  it('round-trips a JSON value (the client serialises it)', async () => {
    const value = { answer: 42, nested: { list: [1, 'two', null] }, text: 'ünïcode €' }
    await redis.set('json', value)
    expect(await redis.get('json')).toEqual(value)
  })

  it('runs a pipeline in order, with per-command results', async () => {
    const p = redis.pipeline()
    p.set('counter', 5)
    p.incr('counter')
    p.get('counter')
    p.del('counter')
    expect(await p.exec()).toEqual(['OK', 6, 6, 1])
  })

  it('runs a MULTI/EXEC transaction', async () => {
    const tx = redis.multi()
    tx.hset('hash', { a: '1', b: 'x' })
    tx.hgetall('hash')
    const [written, all] = await tx.exec()
    expect(written).toBe(2)
    expect(all).toEqual({ a: 1, b: 'x' })
  })

  it('evaluates Lua, including scripts with the Upstash-only shebang line', async () => {
    expect(await redis.eval('return ARGV[1]', [], ['echo'])).toBe('echo')
    const script = '#!lua flags=allow-key-locking\nreturn redis.call("INCRBY", KEYS[1], ARGV[1])'
    expect(await redis.eval(script, ['lua-counter'], [3])).toBe(3)
    // EVALSHA by the hash of the script as sent (what clients compute) finds the stripped script.
    const sha = createHash('sha1').update(script).digest('hex')
    expect(await redis.evalsha(sha, ['lua-counter'], [4])).toBe(7)
    expect(await redis.scriptLoad(script)).toBe(sha)
    expect(await redis.scriptExists(sha)).toEqual([1])
  })

  it('backs @upstash/ratelimit: a sliding window allows the limit, then denies', async () => {
    const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(2, '30 s'), prefix: `rl-${Date.now()}` })
    const results = []
    for (let i = 0; i < 4; i++) results.push((await limiter.limit('key-1')).success)
    expect(results).toEqual([true, true, false, false])
    expect((await limiter.limit('key-2')).success).toBe(true)
  })
})

describe('the Upstash REST shim on the wire', () => {
  it('refuses a missing or wrong token with 401', async () => {
    const none = await fetch(shim.url, { method: 'POST', body: '["PING"]' })
    expect(none.status).toBe(401)
    const wrong = await fetch(shim.url, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '["PING"]' })
    expect(wrong.status).toBe(401)
  })

  it('base64-encodes string results (recursively) only when Upstash-Encoding asks', async () => {
    await raw('/', ['RPUSH', 'list-b64', 'a€', 'b'])
    const plain = await (await raw('/', ['LRANGE', 'list-b64', 0, -1])).json()
    expect(plain).toEqual({ result: ['a€', 'b'] })
    const encoded = await (await raw('/', ['LRANGE', 'list-b64', 0, -1], { 'upstash-encoding': 'base64' })).json()
    expect(encoded).toEqual({ result: [Buffer.from('a€').toString('base64'), Buffer.from('b').toString('base64')] })
    const ok = await (await raw('/', ['SET', 'k-b64', 'v'], { 'upstash-encoding': 'base64' })).json()
    expect(ok).toEqual({ result: 'OK' })
  })

  it('answers a Redis error as 400 {error}, and per command inside a pipeline', async () => {
    await raw('/', ['SET', 'not-a-number', 'abc'])
    const single = await raw('/', ['INCR', 'not-a-number'])
    expect(single.status).toBe(400)
    expect(((await single.json()) as { error: string }).error).toMatch(/not an integer/)
    const pipeline = (await (await raw('/pipeline', [['INCR', 'not-a-number'], ['GET', 'not-a-number']])).json()) as unknown[]
    expect(pipeline).toEqual([{ error: expect.stringMatching(/not an integer/) }, { result: 'abc' }])
  })
})

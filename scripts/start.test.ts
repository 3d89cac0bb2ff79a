/**
 * End to end, as a newcomer would: `npm start` (wrangler dev --local with the bundled demo policy),
 * then the official `openai` client against http://127.0.0.1:PORT/v1 with the documented dev key;
 * last, a policy edit goes live and a bad one is refused while the last good policy keeps serving.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
let proc: ChildProcess
let baseURL = ''
let output = ''
const state = mkdtempSync(join(tmpdir(), 'watchllm-e2e-'))
// A copy of the demo policy this run may edit (the watcher's test at the end).
const policyDir = join(state, 'policies')
cpSync(join(root, 'policies'), policyDir, { recursive: true })

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

beforeAll(async () => {
  const port = await freePort()
  baseURL = `http://127.0.0.1:${port}/v1`
  proc = spawn(join(root, 'node_modules/.bin/node'), ['scripts/start.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      WATCHLLM_STATE_DIR: state,
      WATCHLLM_POLICY_DIR: policyDir,
      WATCHLLM_ADMIN: 'off',
      WATCHLLM_EMBEDDINGS: 'off',
      WATCHLLM_POSTGRES: 'off',
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
      GROQ_API_KEY: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.stdout?.on('data', (d) => (output += d))
  proc.stderr?.on('data', (d) => (output += d))
  const deadline = Date.now() + 90_000
  while (!output.includes('Ctrl-C stops everything')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}, 120_000)

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill('SIGTERM')
    await new Promise((r) => proc.once('exit', r))
  }
  rmSync(state, { recursive: true, force: true })
})

const client = (apiKey = 'lgw_local_dev_key') => new OpenAI({ baseURL, apiKey, maxRetries: 0 })

describe('npm start, driven by the official openai client', () => {
  it('prints what it serves and how to call it', () => {
    expect(output).toContain(baseURL)
    expect(output).toContain('lgw_local_dev_key')
    expect(output).toContain('mock')
  })

  it('answers a chat completion, then the same request from the cache', async () => {
    const question = `e2e ${Date.now()}`
    const messages = [{ role: 'user' as const, content: question }]
    const first = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse()
    expect(first.data.choices[0]?.message.content).toContain(question)
    expect(first.response.headers.get('x-watchllm-cache')).toBe('MISS')
    expect(first.response.headers.get('x-watchllm-provider')).toBe('mock')
    await expect
      .poll(async () => (await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse()).response.headers.get('x-watchllm-cache'), { timeout: 5000 })
      .toBe('HIT')
  })

  it('streams chunks incrementally', async () => {
    const stream = await client().chat.completions.create({
      model: 'claude-haiku-4-5',
      stream: true,
      messages: [{ role: 'user', content: `stream e2e ${Date.now()}` }],
    })
    const arrivals: number[] = []
    let text = ''
    for await (const chunk of stream) {
      arrivals.push(performance.now())
      text += chunk.choices[0]?.delta.content ?? ''
    }
    expect(arrivals.length).toBeGreaterThanOrEqual(4)
    expect(text).toContain('stream e2e')
  })

  it('serves embeddings', async () => {
    const res = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'hello' })
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0)
  })

  it('answers a wrong key with 401 and malformed JSON with 400, both in the OpenAI error shape', async () => {
    await expect(client('lgw_nope').models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key', type: 'authentication_error' })
    const res = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer lgw_local_dev_key', 'content-type': 'application/json' },
      body: '{"model":',
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: Record<string, unknown> }
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  })

  it('reloads an edited policy, and keeps the last good one serving through a bad edit', async () => {
    const health = async () => ((await (await fetch(`${baseURL.replace(/\/v1$/, '')}/health`)).json()) as { policy_hash: string }).policy_hash
    const projects = join(policyDir, 'projects.yaml')
    const original = readFileSync(projects, 'utf8')
    const before = await health()
    const edited = Date.now()
    writeFileSync(projects, original.replace('ttl_seconds: 3600', 'ttl_seconds: 1800'))
    await expect.poll(health, { timeout: 20_000, interval: 50 }).not.toBe(before)
    const reloadMs = Date.now() - edited
    console.log(`npm start: policy edit live after ${reloadMs} ms`)
    const good = await health()

    const mark = output.length
    writeFileSync(projects, original.replace('max_turns: 1', 'max_turns: 0'))
    await expect.poll(() => output.slice(mark), { timeout: 10_000, interval: 50 }).toMatch(/still serving/)
    expect(output.slice(mark)).toMatch(/projects\.yaml:\d+ projects\.demo\.cache\.semantic\.max_turns: must be ≥ 1 — hint: /)
    // Give a reload the time it would take, then check nothing changed: same policy, still answering.
    await new Promise((r) => setTimeout(r, Math.max(2_000, reloadMs * 2)))
    expect(await health()).toBe(good)
    const answer = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `after a bad edit ${Date.now()}` }] })
    expect(answer.choices[0]?.message.content).toContain('after a bad edit')
  }, 60_000)
})

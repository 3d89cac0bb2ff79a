/**
 * End to end with clients nobody here wrote: `npm start` (the demo policy, every model on `mock`),
 * then the official `@anthropic-ai/sdk` on /v1/messages, the `openai` client's Responses API with a
 * `previous_response_id` chain, and the Vercel AI SDK's default `openai(model)` (which calls
 * /v1/responses) with `generateText` and `streamText`; last, the official Python `openai` client
 * (scripts/openai-python-client.py, from the venv `npm test`'s prerequisites make: test-prereqs.mjs).
 */
import Anthropic from '@anthropic-ai/sdk'
import { createOpenAI } from '@ai-sdk/openai'
import { generateText, stepCountIs, streamText, tool } from 'ai'
import OpenAI from 'openai'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { runStart, type StartedGateway } from './start/run-start.ts'

const KEY = 'lgw_local_dev_key'
let gateway: StartedGateway

beforeAll(async () => {
  gateway = await runStart()
}, 120_000)

afterAll(async () => {
  await gateway?.stop()
})

const anthropic = (apiKey = KEY) => new Anthropic({ baseURL: gateway.baseURL, apiKey, maxRetries: 0 })
const openai = () => new OpenAI({ baseURL: `${gateway.baseURL}/v1`, apiKey: KEY, maxRetries: 0 })
const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`

describe('@anthropic-ai/sdk against npm start', () => {
  it('answers a message, then the identical call from the cache', async () => {
    const params = { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content: `Hello Claude ${unique()}` }] }
    const first = await anthropic().messages.create(params).withResponse()
    expect(first.data.content).toEqual([{ type: 'text', text: `[mock] You said: ${params.messages[0]!.content}` }])
    expect(first.response.headers.get('x-watchllm-cache')).toBe('MISS')
    await expect
      .poll(async () => (await anthropic().messages.create(params).withResponse()).response.headers.get('x-watchllm-cache'), { timeout: 5000 })
      .toBe('HIT')
  })

  it('streams a message with tool use, and the tool result’s answer', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }]
    const city = `Lyon ${unique()}`
    const stream = anthropic().messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, tools, messages: [{ role: 'user', content: city }] })
    const deltas: string[] = []
    stream.on('inputJson', (partial) => deltas.push(partial))
    const first = await stream.finalMessage()
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!
    expect(first.stop_reason).toBe('tool_use')
    expect(use.input).toEqual({ city })
    expect(deltas.length).toBeGreaterThan(1)
    const second = await anthropic()
      .messages.stream({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        tools,
        messages: [{ role: 'user', content: city }, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] }],
      })
      .finalMessage()
    expect(second.content).toEqual([{ type: 'text', text: '[mock] get_weather returned: sunny' }])
  })

  it('answers a wrong key with 401 in Anthropic’s error shape', async () => {
    const error = await anthropic('lgw_nope').messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError)
    expect(error).toMatchObject({ status: 401, type: 'authentication_error' })
    const res = await fetch(`${gateway.baseURL}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'lgw_nope', 'content-type': 'application/json' }, body: '{}' })
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'Invalid API key.' } })
  })
})

describe('the openai client’s Responses API against npm start', () => {
  it('chains responses.create and responses.stream with previous_response_id', async () => {
    const mark = unique()
    const first = await openai().responses.create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: `One ${mark}` })
    expect(first.output_text).toBe(`[mock] You said: One ${mark}`)
    const second = await expect
      .poll(() => openai().responses.stream({ model: 'gpt-4o-mini', previous_response_id: first.id, input: `Two ${mark}` }).finalResponse().catch(() => undefined), { timeout: 5000 })
      .toMatchObject({ output_text: `[mock] You said: Two ${mark}` })
    void second
    const stored = await openai().responses.retrieve(first.id)
    expect(stored.output_text).toBe(first.output_text)
  })
})

describe('the Vercel AI SDK’s default openai(model) against npm start', () => {
  const provider = () => createOpenAI({ baseURL: `${gateway.baseURL}/v1`, apiKey: KEY })

  it('generateText, with a tool loop the mock runs', async () => {
    const text = await generateText({ model: provider()('gpt-4o-mini'), prompt: `Say hi ${unique()}` })
    expect(text.text).toMatch(/^\[mock\] You said: Say hi/)
    const looped = await generateText({
      model: provider()('gpt-4o-mini'),
      prompt: `Weather in Oslo ${unique()}`,
      tools: { get_weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `cold in ${city}` }) },
      stopWhen: stepCountIs(3),
    })
    expect(looped.steps[0]?.toolCalls[0]?.toolName).toBe('get_weather')
    expect(looped.text).toMatch(/^\[mock\] get_weather returned: "?cold in Weather in Oslo/)
  })

  it('streamText', async () => {
    const prompt = `Stream to me ${unique()}`
    const result = streamText({ model: provider()('gpt-4o-mini'), prompt })
    const parts: string[] = []
    for await (const part of result.textStream) parts.push(part)
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.join('')).toBe(`[mock] You said: ${prompt}`)
  })
})

describe('the official Python openai client against npm start', () => {
  const root = join(import.meta.dirname, '..')
  // What the client saw, one JSON object (the script only drives the client; the asserts are here).
  let seen: Record<string, any>
  beforeAll(async () => {
    const python = join(root, '.tmp/python-openai/bin/python')
    const mark = unique()
    const { stdout } = await promisify(execFile)(python, [join(root, 'scripts/openai-python-client.py'), `${gateway.baseURL}/v1`, KEY, mark], { timeout: 60_000 })
    seen = { ...JSON.parse(stdout), mark }
  }, 90_000)

  it('chat.completions.create, then the same call from the exact cache', () => {
    expect(seen.chat).toMatchObject({ content: `[mock] You said: Hello from Python ${seen.mark}`, finish_reason: 'stop', hit_content: seen.chat.content })
    expect(seen.chat.usage.total_tokens).toBe(seen.chat.usage.prompt_tokens + seen.chat.usage.completion_tokens)
    expect(seen.chat.cache[0]).toBe('MISS')
    expect(seen.chat.cache.at(-1)).toBe('HIT')
  })

  it('streams, sync and async, with usage in the last chunk when asked', () => {
    expect(seen.stream.parts.length).toBeGreaterThan(1)
    expect(seen.stream.parts.join('')).toBe(`[mock] You said: ${seen.stream.prompt}`)
    expect(seen.stream.finish_reason).toBe('stop')
    expect(seen.stream.usage.completion_tokens).toBeGreaterThan(0)
    expect(seen.async_stream.parts.join('')).toBe(`[mock] You said: ${seen.async_stream.prompt}`)
    expect(seen.async_stream.final).toBe(`[mock] You said: ${seen.async_stream.prompt}`)
  })

  it('a tool call and the tool result’s answer', () => {
    expect(seen.tools).toEqual({ finish_reason: 'tool_calls', name: 'get_weather', arguments: { city: `Oslo ${seen.mark}` }, answer: '[mock] get_weather returned: cold' })
  })

  it('embeddings: the client’s default base64 decoded to the float answer', () => {
    expect(seen.embeddings.wire).toBe('str')
    expect(seen.embeddings.count).toBe(2)
    expect(seen.embeddings.dims[0]).toBeGreaterThan(8)
    seen.embeddings.first.forEach((x: number, i: number) => expect(x).toBeCloseTo(seen.embeddings.float_first[i], 6))
    expect(seen.embeddings.usage.total_tokens).toBeGreaterThan(0)
  })

  it('the Responses API with previous_response_id, and models.list', () => {
    expect(seen.responses).toEqual({
      first: `[mock] You said: Responses from Python ${seen.mark}`,
      second: `[mock] You said: Again ${seen.mark}`,
      stored: `[mock] You said: Responses from Python ${seen.mark}`,
    })
    expect(seen.models).toContain('gpt-4o-mini')
  })

  it('errors arrive as the client’s typed exceptions, with the OpenAI error body; a spent budget is not retried', () => {
    const { bad_key, bad_request, unknown_model, budget, budget_requests } = seen.errors
    expect(bad_key).toMatchObject({ class: 'AuthenticationError', status: 401, body: { type: 'authentication_error', code: 'invalid_api_key', param: null } })
    expect(bad_request).toMatchObject({ class: 'BadRequestError', status: 400, body: { type: 'invalid_request_error', param: 'messages.0.role' } })
    expect(unknown_model).toMatchObject({ class: 'NotFoundError', status: 404, body: { code: 'model_not_found', param: 'model' } })
    expect(budget).toMatchObject({ class: 'RateLimitError', status: 429, retry: 'false', body: { code: 'budget_exceeded' } })
    // max_retries=2 on that client: x-should-retry: false is honoured, one request in all.
    expect(budget_requests).toBe(1)
  })
})

/**
 * End to end with clients nobody here wrote: `npm start` (the demo policy, every model on `mock`),
 * then the official `@anthropic-ai/sdk` on /v1/messages, the `openai` client's Responses API with a
 * `previous_response_id` chain, and the Vercel AI SDK's default `openai(model)` (which calls
 * /v1/responses) with `generateText` and `streamText`. (The Python `openai` client cannot be
 * installed here: no PyPI.)
 */
import Anthropic from '@anthropic-ai/sdk'
import { createOpenAI } from '@ai-sdk/openai'
import { generateText, stepCountIs, streamText, tool } from 'ai'
import OpenAI from 'openai'
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

/**
 * The fakes are only worth something if the official SDKs cannot tell them from the real APIs:
 * each is driven here by its SDK's own stream accumulator, which checks the event grammar.
 */
import Anthropic from '@anthropic-ai/sdk'
import Groq from 'groq-sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeAnthropic } from './anthropic.ts'
import type { FakeServer } from './fake-server.ts'
import { startFakeGroq } from './groq.ts'
import { FAKE_KEYS } from './keys.ts'
import { startFakeOpenAi } from './openai.ts'

let fakes: { openai: FakeServer; anthropic: FakeServer; groq: FakeServer }

beforeAll(async () => {
  const [openai, anthropic, groq] = await Promise.all([startFakeOpenAi(), startFakeAnthropic(), startFakeGroq()])
  fakes = { openai, anthropic, groq }
})
afterAll(async () => {
  await Promise.all(Object.values(fakes ?? {}).map((f) => f.close()))
})

describe('fake Anthropic', () => {
  const client = () => new Anthropic({ apiKey: FAKE_KEYS.anthropic, baseURL: fakes.anthropic.url, maxRetries: 0 })

  it('streams text and split tool input that the SDK assembles into the same message as the JSON answer', async () => {
    const params = { model: 'tools-2', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Rome' }] }
    const streamed = await client().messages.stream(params).finalMessage()
    const json = await client().messages.create(params)
    expect(streamed.content).toEqual(json.content)
    expect(streamed.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use'])
    expect(streamed.content[1]).toMatchObject({ name: 'get_weather', input: { city: 'Rome', unit: 'celsius' } })
    expect(streamed.stop_reason).toBe('tool_use')
    expect(streamed.usage.output_tokens).toBe(json.usage.output_tokens)
  })

  it('refuses what the real API refuses, in its error shape', async () => {
    const bad = client().messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], temperature: 0.5 } as never)
    await expect(bad).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error', message: 'temperature: Extra inputs are not permitted' } } })
    const wrongKey = new Anthropic({ apiKey: 'sk-ant-nope', baseURL: fakes.anthropic.url, maxRetries: 0 })
    await expect(wrongKey.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 })
  })

  it('surfaces a scripted mid-stream error event as the SDK error it would be', async () => {
    const stream = client().messages.stream({ model: 'error-event', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
    await expect(stream.finalMessage()).rejects.toMatchObject({ type: 'overloaded_error' })
  })
})

describe('fake OpenAI', () => {
  it('streams tool calls the SDK assembles, with the usage chunk only when asked', async () => {
    const client = new OpenAI({ apiKey: FAKE_KEYS.openai, baseURL: `${fakes.openai.url}/v1`, maxRetries: 0 })
    const stream = client.chat.completions.stream({ model: 'tools-2', messages: [{ role: 'user', content: 'Nice' }], stream_options: { include_usage: true } })
    const completion = await stream.finalChatCompletion()
    const calls = completion.choices[0]?.message.tool_calls ?? []
    expect(calls.map((c) => c.type === 'function' && JSON.parse(c.function.arguments))).toEqual([
      { city: 'Nice', unit: 'celsius' },
      { city: 'Nice', step: 1 },
    ])
    expect(completion.usage?.total_tokens).toBeGreaterThan(0)
  })

  it('records requests for tests and forgets them on reset', async () => {
    const client = new OpenAI({ apiKey: FAKE_KEYS.openai, baseURL: `${fakes.openai.url}/v1`, maxRetries: 0 })
    await client.models.list()
    const recorded = (await (await fetch(`${fakes.openai.url}/__requests`)).json()) as { path: string; headers: Record<string, string> }[]
    expect(recorded.at(-1)).toMatchObject({ path: '/v1/models', headers: { authorization: `Bearer ${FAKE_KEYS.openai}` } })
    await fetch(`${fakes.openai.url}/__reset`, { method: 'POST' })
    expect(await (await fetch(`${fakes.openai.url}/__requests`)).json()).toEqual([])
  })
})

describe('fake Groq', () => {
  it('serves OpenAI chunks under /openai/v1 with x_groq usage, honouring include_usage', async () => {
    const client = new Groq({ apiKey: FAKE_KEYS.groq, baseURL: fakes.groq.url, maxRetries: 0 })
    const stream = await client.chat.completions.create({ model: 'llama', messages: [{ role: 'user', content: 'hey' }], stream: true })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: hey')
    expect(chunks.at(-1)?.x_groq?.usage?.total_tokens).toBeGreaterThan(0)
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false)
  })
})

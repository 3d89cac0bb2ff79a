/**
 * /v1/messages through the whole pipeline, judged by the official `@anthropic-ai/sdk`: native
 * passthrough to Anthropic (body, headers and event stream untouched), translation for an
 * OpenAI-shaped fallback, the exact cache in Anthropic's shape, errors in Anthropic's shape,
 * count_tokens, the mock's tool loop, PII and prompt-cache pricing.
 */
import Anthropic from '@anthropic-ai/sdk'
import { calcPrice } from '@pydantic/genai-prices'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { settled } from '../drive-gateway.ts'
import { vars } from '../providers/helpers.ts'
import { anthropicClient, gateway, KEY, KEY_PII, received, unique } from './harness.ts'

const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }]

describe('/v1/messages to an Anthropic target (native passthrough)', () => {
  it('sends the body and the API version untouched, answers the SDK, then the same call from the cache', async () => {
    const g = gateway()
    const mark = unique()
    const params = {
      model: 'claude',
      max_tokens: 200,
      temperature: 0.3,
      system: [{ type: 'text' as const, text: 'Be brief.', cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } }],
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: `Capital of France? ${mark}`, cache_control: { type: 'ephemeral' as const } }] }],
    }
    // An older API version still takes temperature: the client's version goes through, so this works.
    const client = anthropicClient(g, KEY, { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'extended-cache-ttl-2025-04-11' })
    const { data, response } = await client.messages.create(params as never).withResponse()
    expect(data.type).toBe('message')
    expect(data.content).toEqual([{ type: 'text', text: `You said: Capital of France? ${mark}` }])
    expect(response.headers.get('x-watchllm-provider')).toBe('anthropic')
    expect(response.headers.get('x-watchllm-cache')).toBe('MISS')

    const [sent] = await received(vars.FAKE_ANTHROPIC_URL, mark)
    expect(sent?.path).toBe('/v1/messages')
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01')
    expect(sent?.headers['anthropic-beta']).toBe('extended-cache-ttl-2025-04-11')
    expect(sent?.body).toEqual({ ...params, model: 'claude-haiku-4-5' })

    await settled()
    const again = await client.messages.create(params as never).withResponse()
    expect(again.response.headers.get('x-watchllm-cache')).toBe('HIT')
    expect(again.data).toEqual(data)
  })

  it('relays a streamed tool-use answer as Anthropic streamed it, and replays it from the cache', async () => {
    const g = gateway()
    const params = { model: 'claude-tools', max_tokens: 200, tools, messages: [{ role: 'user' as const, content: `Lyon ${unique()}` }] }
    const stream = anthropicClient(g).messages.stream(params)
    const first = await stream.finalMessage()
    expect(first.stop_reason).toBe('tool_use')
    const use = first.content.find((b) => b.type === 'tool_use')
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: params.messages[0]!.content, unit: 'celsius' } })

    await settled()
    const { data, response } = await anthropicClient(g).messages.create({ ...params, stream: true }).withResponse()
    expect(response.headers.get('x-watchllm-cache')).toBe('HIT')
    const types: string[] = []
    for await (const event of data) types.push(event.type)
    expect(types[0]).toBe('message_start')
    expect(types.at(-1)).toBe('message_stop')
    const replayed = await anthropicClient(g).messages.stream(params).finalMessage()
    expect(replayed).toEqual(first)
  })

  it('answers a wrong key with 401 in Anthropic’s error shape', async () => {
    const g = gateway()
    const error = await anthropicClient(g, 'lgw_wrong').messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError)
    expect((error as { type?: string }).type).toBe('authentication_error')
    const res = await g.fetch('http://gateway.test/v1/messages', { method: 'POST', headers: { 'x-api-key': 'lgw_wrong', 'content-type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'Invalid API key.' } })
  })

  it('answers a bad body with 400 naming the field, in Anthropic’s shape', async () => {
    const g = gateway()
    const error = await anthropicClient(g).messages.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] } as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.BadRequestError)
    expect((error as Error).message).toContain('max_tokens')
  })

  it('counts tokens with the provider, and estimates them (saying so) where no Anthropic target serves the alias', async () => {
    const g = gateway()
    const counted = await anthropicClient(g).messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'How many tokens is this?' }] }).withResponse()
    expect(counted.data.input_tokens).toBeGreaterThan(0)
    expect(counted.response.headers.get('x-watchllm-token-count')).toBe('provider')
    const estimated = await anthropicClient(g).messages.countTokens({ model: 'gpt', messages: [{ role: 'user', content: 'How many tokens is this?' }] }).withResponse()
    expect(estimated.data.input_tokens).toBeGreaterThan(0)
    expect(estimated.response.headers.get('x-watchllm-token-count')).toBe('estimate')
  })
})

describe('/v1/messages answered by a provider speaking chat (translation)', () => {
  it('fails over from Anthropic’s 529 to the OpenAI-shaped fallback and answers in Anthropic’s shape', async () => {
    const g = gateway()
    const mark = unique()
    const { data, response } = await anthropicClient(g)
      .messages.create({ model: 'claude-529', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: `Hello ${mark}` }] })
      .withResponse()
    expect(response.headers.get('x-watchllm-provider')).toBe('openai')
    expect(data).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: `You said: Hello ${mark}` }] })
    expect(data.usage.input_tokens).toBeGreaterThan(0)
    const [sent] = await received(vars.FAKE_OPENAI_URL, mark)
    expect(sent?.body.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `Hello ${mark}` }])
  })

  it('streams the fallback’s tool call as Anthropic events the SDK assembles', async () => {
    const g = gateway()
    const final = await anthropicClient(g)
      .messages.stream({ model: 'gpt-tools', max_tokens: 100, tools, messages: [{ role: 'user', content: `Oslo ${unique()}` }] })
      .finalMessage()
    expect(final.stop_reason).toBe('tool_use')
    expect(final.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'get_weather', input: expect.objectContaining({ unit: 'celsius' }) })])
  })

  it('refuses what chat cannot carry with a 400 naming the field, rather than asking another question', async () => {
    const g = gateway()
    const res = await g.fetch('http://gateway.test/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', max_tokens: 10, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'news?' }] }),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { type: string; error: { type: string; message: string } }
    expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
    expect(body.error.message).toContain('tools.0.type')
  })

  it('lets the mock run a tool loop: a call from the schema, then an answer quoting the result', async () => {
    const g = gateway()
    const city = `Paris ${unique()}`
    const first = await anthropicClient(g).messages.create({ model: 'mocked', max_tokens: 100, tools, messages: [{ role: 'user', content: city }] })
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!
    expect(first.stop_reason).toBe('tool_use')
    expect(use.input).toEqual({ city })
    const second = await anthropicClient(g).messages.create({
      model: 'mocked',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: city },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '21°C and sunny' }] },
      ],
    })
    expect(second.content).toEqual([{ type: 'text', text: '[mock] get_weather returned: 21°C and sunny' }])
  })
})

describe('/v1/messages and the other stages', () => {
  it('redacts an e-mail before Anthropic sees it, and restores it in the answer (JSON and stream)', async () => {
    const g = gateway()
    const mark = unique()
    const content = `Mail ada@example.com please ${mark}`
    const json = await anthropicClient(g, KEY_PII).messages.create({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content }] })
    expect(json.content).toEqual([{ type: 'text', text: `You said: ${content}` }])
    const [sent] = await received(vars.FAKE_ANTHROPIC_URL, mark)
    expect(JSON.stringify(sent?.body)).not.toContain('@example.com')
    expect(JSON.stringify(sent?.body)).toContain('[EMAIL_1]')
    const streamed = await anthropicClient(g, KEY_PII).messages.stream({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content }] }).finalMessage()
    expect(streamed.content).toEqual([{ type: 'text', text: `You said: ${content}` }])
  })

  it('prices prompt-cache reads and writes (1-hour TTL apart) and says so in the cost header', async () => {
    const g = gateway()
    const long = `${'Long shared context. '.repeat(200)} ${unique()}`
    const { data, response } = await anthropicClient(g).messages.create({ model: 'claude-caching', max_tokens: 50, messages: [{ role: 'user', content: long }] }).withResponse()
    const u = data.usage
    expect(u).toMatchObject({ cache_creation_input_tokens: 600, cache_read_input_tokens: 100 })
    const expected = calcPrice(
      {
        input_tokens: u.input_tokens + 600 + 100,
        cache_read_tokens: 100,
        cache_write_tokens: 600,
        cache_write_1h_tokens: 200,
        output_tokens: u.output_tokens,
      },
      'claude-haiku-4-5',
      { providerId: 'anthropic' },
    )!.total_price
    expect(Number(response.headers.get('x-watchllm-cost-usd'))).toBeCloseTo(expected, 9)
    // Priced as plain input, the same tokens would cost less: the writes' premium is counted.
    const asInput = calcPrice({ input_tokens: u.input_tokens + 700, output_tokens: u.output_tokens }, 'claude-haiku-4-5', { providerId: 'anthropic' })!.total_price
    expect(expected).toBeGreaterThan(asInput)

    // The usage event (through the queue to D1) names the endpoint and carries the cache reads and writes.
    const id = response.headers.get('x-watchllm-request-id')!
    await vi.waitFor(async () => {
      const row = await env.DB.prepare('SELECT endpoint, input_tokens, cached_tokens, cache_write_tokens, cache_write_1h_tokens, cost_usd FROM usage_events WHERE request_id = ?').bind(id).first()
      expect(row).toMatchObject({ endpoint: 'messages', input_tokens: u.input_tokens + 700, cached_tokens: 100, cache_write_tokens: 600, cache_write_1h_tokens: 200 })
      expect(row?.cost_usd as number).toBeCloseTo(expected, 9)
    }, { timeout: 10_000, interval: 100 })
  })
})

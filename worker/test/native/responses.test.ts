/**
 * /v1/responses through the whole pipeline, judged by the official `openai` client
 * (`responses.create`, `responses.stream`): native passthrough to OpenAI with the conversation a
 * `previous_response_id` stands for sent as input, chains across providers, the stored responses
 * and their project isolation, failover from OpenAI to an Anthropic fallback in Responses' shape,
 * the cache, errors and the mock's tool loop.
 */
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { settled } from '../drive-gateway.ts'
import { vars } from '../providers/helpers.ts'
import { gateway, KEY_OTHER, received, unique } from './harness.ts'

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather by city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
}

describe('/v1/responses to an OpenAI target (native passthrough)', () => {
  it('answers responses.create, then chains with previous_response_id by sending the conversation itself', async () => {
    const g = gateway()
    const mark = unique()
    const first = await g.client().responses.create({ model: 'gpt', instructions: 'Be brief.', input: `First ${mark}` })
    expect(first.output_text).toBe(`You said: First ${mark}`)
    await settled()
    const second = await g.client().responses.create({ model: 'gpt', previous_response_id: first.id, input: `Second ${mark}` })
    expect(second.output_text).toBe(`You said: Second ${mark}`)
    const sent = await received(vars.FAKE_OPENAI_URL, `Second ${mark}`)
    expect(sent[0]?.path).toBe('/v1/responses')
    expect(sent[0]?.body.previous_response_id).toBeUndefined()
    expect(sent[0]?.body.input).toEqual([
      { role: 'user', content: `First ${mark}` },
      expect.objectContaining({ type: 'message', role: 'assistant', content: [expect.objectContaining({ type: 'output_text', text: `You said: First ${mark}` })] }),
      { role: 'user', content: `Second ${mark}` },
    ])
  })

  it('streams with responses.stream (typed events), and a streamed chain works too', async () => {
    const g = gateway()
    const mark = unique()
    const stream = g.client().responses.stream({ model: 'gpt', input: `Streamed ${mark}` })
    const deltas: string[] = []
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta))
    const final = await stream.finalResponse()
    expect(deltas.join('')).toBe(`You said: Streamed ${mark}`)
    expect(final.output_text).toBe(`You said: Streamed ${mark}`)
    await settled()
    const next = await g.client().responses.stream({ model: 'gpt', previous_response_id: final.id, input: `Again ${mark}` }).finalResponse()
    expect(next.output_text).toBe(`You said: Again ${mark}`)
  })

  it('keeps a response for GET /v1/responses/{id}, for its own project only, and not with store: false', async () => {
    const g = gateway()
    const made = await g.client().responses.create({ model: 'gpt', input: `Keep me ${unique()}` })
    await settled()
    const got = await g.client().responses.retrieve(made.id)
    expect(got.id).toBe(made.id)
    expect(got.output_text).toBe(made.output_text)
    await expect(g.client(KEY_OTHER).responses.retrieve(made.id)).rejects.toMatchObject({ status: 404 })
    await expect(g.client(KEY_OTHER).responses.create({ model: 'gpt', previous_response_id: made.id, input: 'hi' })).rejects.toMatchObject({ status: 404, param: 'previous_response_id' })

    const unstored = await g.client().responses.create({ model: 'gpt', input: `Forget me ${unique()}`, store: false })
    await settled()
    await expect(g.client().responses.retrieve(unstored.id)).rejects.toMatchObject({ status: 404 })

    await g.client().responses.delete(made.id)
    await expect(g.client().responses.retrieve(made.id)).rejects.toMatchObject({ status: 404 })
  })

  it('answers the same request from the cache, replayed as typed events for a stream', async () => {
    const g = gateway()
    const input = `Cache me ${unique()}`
    const first = await g.client().responses.create({ model: 'gpt', input })
    await settled()
    const { data, response } = await g.client().responses.create({ model: 'gpt', input }).withResponse()
    expect(response.headers.get('x-watchllm-cache')).toBe('HIT')
    expect(data.output_text).toBe(first.output_text)
    const streamed = await g.client().responses.stream({ model: 'gpt', input }).finalResponse()
    expect(streamed.output_text).toBe(first.output_text)
  })
})

describe('/v1/responses answered by a provider speaking chat (translation)', () => {
  it('fails over from OpenAI’s 503 to the Anthropic fallback and answers in Responses’ shape, JSON and stream', async () => {
    const g = gateway()
    const mark = unique()
    const { data, response } = await g.client().responses.create({ model: 'gpt-503', instructions: 'Be brief.', input: `Hello ${mark}` }).withResponse()
    expect(response.headers.get('x-watchllm-provider')).toBe('anthropic')
    expect(data).toMatchObject({ object: 'response', status: 'completed', output_text: `You said: Hello ${mark}` })
    expect(data.usage?.input_tokens).toBeGreaterThan(0)
    const [sent] = await received(vars.FAKE_ANTHROPIC_URL, `Hello ${mark}`)
    expect(sent?.body).toMatchObject({ system: 'Be brief.', messages: [{ role: 'user', content: `Hello ${mark}` }] })

    const streamed = await g.client().responses.stream({ model: 'gpt-503', input: `Stream ${mark}` }).finalResponse()
    expect(streamed.output_text).toBe(`You said: Stream ${mark}`)
    await settled()
    // The chain goes on across providers: the stored response is the gateway's, not OpenAI's.
    const chained = await g.client().responses.create({ model: 'gpt-503', previous_response_id: data.id, input: `And then ${mark}` })
    expect(chained.output_text).toBe(`You said: And then ${mark}`)
    const [followUp] = await received(vars.FAKE_ANTHROPIC_URL, `And then ${mark}`)
    expect((followUp?.body.messages as unknown[]).length).toBe(3)
  })

  it('lets the mock run a function-call loop in Responses’ shape', async () => {
    const g = gateway()
    const city = `Rome ${unique()}`
    const first = await g.client().responses.create({ model: 'mocked', input: city, tools: [weather] })
    const call = first.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === 'function_call')!
    expect(JSON.parse(call.arguments)).toEqual({ city })
    await settled()
    const second = await g.client().responses.create({
      model: 'mocked',
      previous_response_id: first.id,
      tools: [weather],
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '19°C' }],
    })
    expect(second.output_text).toBe('[mock] get_weather returned: 19°C')
  })

  it('refuses a built-in tool a chat provider cannot run with a 400 naming it', async () => {
    const g = gateway()
    await expect(g.client().responses.create({ model: 'mocked', input: 'news?', tools: [{ type: 'web_search' }] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('tools.0.type'),
    })
  })

  it('answers errors in OpenAI’s shape', async () => {
    const g = gateway()
    await expect(g.client('lgw_wrong').responses.create({ model: 'gpt', input: 'hi' })).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' })
    await expect(g.client().responses.create({ model: 'gpt', input: 'hi', background: true })).rejects.toMatchObject({ status: 400, param: 'background' })
    await expect(g.client().responses.create({ model: 'gpt', previous_response_id: 'resp_nope', input: 'hi' })).rejects.toMatchObject({ status: 404 })
  })
})


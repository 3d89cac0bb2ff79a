import { describe, expect, it, vi } from 'vitest'
import { checkFirstChunk } from '../providers/answer-shape.ts'
import { relayStream } from './relay.ts'

const chunk = (delta: object, finish: string | null = null) => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
})
const usage = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }
const sse = (events: unknown[], done = true, sep = '\n\n') => events.map((e) => `data: ${JSON.stringify(e)}${sep}`).join('') + (done ? `data: [DONE]${sep}` : '')

/** Splits the text into byte chunks of `size`, cutting through events and multi-byte characters. */
function bytes(text: string, size: number): ReadableStream<Uint8Array> {
  const all = new TextEncoder().encode(text)
  let i = 0
  return new ReadableStream({
    pull(c) {
      if (i >= all.length) return c.close()
      c.enqueue(all.slice(i, (i += size)))
    },
  })
}

const events = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Grüße, ' }),
  chunk({ content: 'wörld 🌍' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
  chunk({}, 'tool_calls'),
  usage,
]

describe('stream relay', () => {
  it.each([1, 7, 64, 4096])('passes events through intact and assembles the answer (chunks of %i bytes)', async (size) => {
    const relayed = relayStream(bytes(sse(events), size), { clientWantsUsage: true })
    const text = await new Response(relayed.body).text()
    expect(text).toBe(sse(events))
    const answer = await relayed.answer
    expect(answer?.choices[0]?.message.content).toBe('Grüße, wörld 🌍')
    expect(answer?.choices[0]?.message.tool_calls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }])
    expect(answer?.choices[0]?.finish_reason).toBe('tool_calls')
    expect(answer?.usage?.total_tokens).toBe(7)
  })

  it('passes chunks of whole events on byte for byte, and still edits the one that carries the usage chunk', async () => {
    const perEvent = [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n']
    // Two events per chunk after the first: whole events, as upstreams usually send them.
    const chunks = [perEvent[0]!, ...Array.from({ length: Math.ceil((perEvent.length - 1) / 2) }, (_, i) => perEvent.slice(1 + 2 * i, 3 + 2 * i).join(''))]
    const upstream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const text of chunks) c.enqueue(new TextEncoder().encode(text))
        c.close()
      },
    })
    const relayed = relayStream(upstream, { clientWantsUsage: false })
    const text = await new Response(relayed.body).text()
    expect(text).toBe(perEvent.filter((e) => !e.includes('"usage"')).join(''))
    expect((await relayed.answer)?.usage?.total_tokens).toBe(7)
    expect((await relayed.answer)?.choices[0]?.message.content).toBe('Grüße, wörld 🌍')
  })

  it('drops the usage chunk the client did not ask for, but still learns the usage', async () => {
    const relayed = relayStream(bytes(sse(events), 50), { clientWantsUsage: false })
    const text = await new Response(relayed.body).text()
    expect(text).not.toContain('"usage"')
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect((await relayed.answer)?.usage?.total_tokens).toBe(7)
  })

  it('reads CRLF-separated streams', async () => {
    const relayed = relayStream(bytes(sse(events, true, '\r\n\r\n'), 5), { clientWantsUsage: true })
    await new Response(relayed.body).text()
    expect((await relayed.answer)?.choices[0]?.message.content).toBe('Grüße, wörld 🌍')
  })

  it('never yields an answer for a stream cut short or ended by an error event', async () => {
    const cut = relayStream(bytes(sse(events.slice(0, 3), false), 16), { clientWantsUsage: true })
    await new Response(cut.body).text()
    expect(await cut.answer).toBeUndefined()

    const failed = relayStream(bytes(sse([...events.slice(0, 3), { error: { message: 'overloaded' } }]), 16), { clientWantsUsage: true })
    await new Response(failed.body).text()
    expect(await failed.answer).toBeUndefined()
  })

  it('reports the first byte as soon as the first event is passed on', async () => {
    let firstAt = -1
    let pulled = 0
    const upstream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++
        if (pulled === 1) c.enqueue(new TextEncoder().encode(sse([events[0]], false)))
        else c.close()
      },
    })
    const reader = relayStream(upstream, { clientWantsUsage: false, onFirstByte: () => (firstAt = pulled) }).body.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toContain('"role":"assistant"')
    expect(firstAt).toBe(1)
  })

  it('settles the answer (as incomplete) when the client goes away mid-stream', async () => {
    let cancelled = false
    const upstream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}\n\n'))
      },
      cancel() {
        cancelled = true
      },
    })
    const relayed = relayStream(upstream, { clientWantsUsage: false })
    const reader = relayed.body.getReader()
    await reader.read()
    await reader.cancel()
    const outcome = await Promise.race([relayed.answer.then((a) => ({ settled: true, a })), new Promise((r) => setTimeout(() => r({ settled: false }), 500))])
    expect(outcome).toEqual({ settled: true, a: undefined })
    expect(cancelled).toBe(true)
  })

  it('keeps a complete answer when the client cancels right after [DONE], as the openai SDK does', async () => {
    const upstream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(sse(events))) // [DONE] arrives, but the upstream never closes
      },
    })
    const relayed = relayStream(upstream, { clientWantsUsage: false })
    const reader = relayed.body.getReader()
    let text = ''
    while (!text.includes('[DONE]')) text += new TextDecoder().decode((await reader.read()).value)
    await reader.cancel()
    expect((await relayed.answer)?.choices[0]?.message.content).toBe('Grüße, wörld 🌍')
  })

  it('ends a stream whose upstream goes silent with an error event, cancels upstream, and stores nothing', async () => {
    let cancelled = false
    const upstream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(sse(events.slice(0, 2), false)))
      },
      cancel() {
        cancelled = true
      },
    })
    const relayed = relayStream(upstream, { clientWantsUsage: false, idleTimeoutMs: 50 })
    const text = await new Response(relayed.body).text()
    expect(text).toContain('Grüße')
    expect(text).toMatch(/data: \{"error":\{[^\n]*"code":"upstream_timeout"/)
    expect(text).not.toContain('[DONE]')
    expect(await relayed.answer).toBeUndefined()
    await vi.waitFor(() => expect(cancelled).toBe(true), { timeout: 1000 })
  })

  it('counts each chunk for the meter and, when it says the budget is spent, ends with its error event and cancels upstream', async () => {
    let cancelled = false
    const counted: number[] = []
    const upstream = new ReadableStream<Uint8Array>({
      start(c) {
        // Everything but the end arrives at once: the cut must stop mid-chunk, not after it.
        c.enqueue(new TextEncoder().encode(sse(events, false)))
      },
      cancel() {
        cancelled = true
      },
    })
    const error = { message: 'Budget `b` reached.', type: 'insufficient_quota', param: null, code: 'budget_exceeded' }
    const meter = { add: (n: number) => (counted.push(n), counted.reduce((a, b) => a + b, 0) <= 3), error }
    const relayed = relayStream(upstream, { clientWantsUsage: false, meter })
    const text = await new Response(relayed.body).text()
    expect(counted).toEqual([0, 3, 3]) // role chunk, then "Grüße, " (9 bytes), then "wörld 🌍" (11 bytes): ⌈bytes ÷ 4⌉
    expect(text).toContain('wörld') // the chunk that crossed went out, then the error
    expect(text).not.toContain('get_weather')
    expect(text.endsWith(`data: ${JSON.stringify({ error })}\n\n`)).toBe(true)
    expect(await relayed.answer).toBeUndefined()
    await vi.waitFor(() => expect(cancelled).toBe(true), { timeout: 1000 })
  })

  it.each([1, 7, 4096])('gives every byte exactly once, in order, after a first-chunk check read ahead (chunks of %i bytes)', async (size) => {
    const checked = await checkFirstChunk(bytes(sse(events), size), 'test')
    const relayed = relayStream(checked, { clientWantsUsage: true })
    expect(await new Response(relayed.body).text()).toBe(sse(events))
    expect((await relayed.answer)?.usage?.total_tokens).toBe(7)
  })

  it('ends a stream whose upstream connection breaks with an error event, and stores nothing', async () => {
    let sent = false
    const upstream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent) return c.error(new Error('connection reset'))
        sent = true
        c.enqueue(new TextEncoder().encode(sse(events.slice(0, 2), false)))
      },
    })
    const relayed = relayStream(upstream, { clientWantsUsage: true })
    const text = await new Response(relayed.body).text()
    expect(text).toContain('Grüße')
    expect(text.endsWith(`data: {"error":{"message":"The upstream connection broke mid-stream.","type":"upstream_error","param":null,"code":"upstream_error"}}\n\n`)).toBe(true)
    expect(text).not.toContain('[DONE]')
    expect(await relayed.answer).toBeUndefined()
  })

  it('ends a stream that goes silent mid-event with the error event alone: the partial event never reaches the client', async () => {
    const upstream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(sse(events.slice(0, 2), false) + 'data: {"id":"c1","obj'))
      },
    })
    const relayed = relayStream(upstream, { clientWantsUsage: true, idleTimeoutMs: 50 })
    const text = await new Response(relayed.body).text()
    const whole = sse(events.slice(0, 2), false)
    expect(text.startsWith(whole)).toBe(true)
    expect(text.slice(whole.length)).toMatch(/^data: \{"error":\{[^\n]*"code":"upstream_timeout"[^\n]*\}\}\n\n$/)
    expect(await relayed.answer).toBeUndefined()
  })
})

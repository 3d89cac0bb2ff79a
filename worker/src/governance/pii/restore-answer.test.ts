import { describe, expect, it } from 'vitest'
import { sseData } from '../../lib/sse.ts'
import { restoreCompletion, restoreStream } from './restore-answer.ts'
import { PiiVault } from './vault.ts'

function vaultWith(text: string): PiiVault {
  const vault = new PiiVault()
  vault.redact(text, new Set(['email', 'card']))
  return vault
}

const completion = (content: string, args?: string) =>
  JSON.stringify({
    id: 'c1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content, ...(args ? { tool_calls: [{ id: 't', type: 'function', function: { name: 'send', arguments: args } }] } : {}) }, finish_reason: 'stop' }],
  })

function sse(events: unknown[]): ReadableStream<Uint8Array> {
  const text = events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('')
  const bytes = new TextEncoder().encode(text)
  // One byte at a time: the worst split a network can make.
  let i = 0
  return new ReadableStream({ pull: (c) => (i < bytes.length ? c.enqueue(bytes.slice(i, ++i)) : c.close()) })
}
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })

async function read(body: ReadableStream<Uint8Array>) {
  const events: Record<string, unknown>[] = []
  for await (const data of sseData(body)) events.push(data === '[DONE]' ? { done: true } : (JSON.parse(data) as Record<string, unknown>))
  const deltas = events.flatMap((e) => ((e.choices as { delta: { content?: string; tool_calls?: { function: { arguments: string } }[] } }[] | undefined) ?? []).map((c) => c.delta))
  return {
    events,
    text: deltas.map((d) => d.content ?? '').join(''),
    args: deltas.flatMap((d) => d.tool_calls ?? []).map((t) => t.function.arguments).join(''),
  }
}

describe('restoring an answer', () => {
  it('puts values back into a JSON answer: content as text, tool arguments JSON-escaped', () => {
    const vault = vaultWith('bob@example.com 4111 1111 1111 1111')
    const raw = completion('Sent to [EMAIL_1] for [CARD_1]; [EMAIL_9] stays.', JSON.stringify({ to: '[EMAIL_1]' }))
    const out = JSON.parse(restoreCompletion(raw, vault)) as { choices: { message: { content: string; tool_calls: { function: { arguments: string } }[] } }[] }
    expect(out.choices[0]!.message.content).toBe('Sent to bob@example.com for 4111 1111 1111 1111; [EMAIL_9] stays.')
    expect(JSON.parse(out.choices[0]!.message.tool_calls[0]!.function.arguments)).toEqual({ to: 'bob@example.com' })
  })

  it('leaves an answer alone when nothing was redacted', () => {
    const raw = completion('[EMAIL_1]')
    expect(restoreCompletion(raw, new PiiVault())).toBe(raw)
  })

  it('restores a placeholder split across stream chunks, delivered one byte at a time', async () => {
    const vault = vaultWith('bob@example.com')
    const body = sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi [EM' }), chunk({ content: 'AIL_' }), chunk({ content: '1], bye' }), chunk({}, 'stop'), '[DONE]'])
    const { text, events } = await read(restoreStream(body, vault))
    expect(text).toBe('Hi bob@example.com, bye')
    expect(events.at(-1)).toEqual({ done: true })
  })

  it('holds back only a possible placeholder prefix, never other text', async () => {
    const vault = vaultWith('bob@example.com')
    const body = sse([chunk({ content: 'a [b] c [' }), chunk({ content: 'x' }), chunk({ content: ' [EMAIL_1' }), chunk({ content: '' }), chunk({ content: ']' }), chunk({}, 'stop'), '[DONE]'])
    const { events } = await read(restoreStream(body, vault))
    const contents = events.slice(0, 5).map((e) => (e.choices as { delta: { content: string } }[])[0]!.delta.content)
    expect(contents).toEqual(['a [b] c ', '[x', ' ', '', 'bob@example.com'])
  })

  it('flushes what it held when the choice finishes, and tool arguments too', async () => {
    const vault = vaultWith('bob@example.com')
    const call = (args: string) => ({ tool_calls: [{ index: 0, function: { arguments: args } }] })
    const body = sse([chunk({ content: 'see [EMAIL' }), chunk(call('{"to":"[EMA')), chunk(call('IL_1]"}')), chunk({}, 'stop'), '[DONE]'])
    const { text, args } = await read(restoreStream(body, vault))
    expect(text).toBe('see [EMAIL')
    expect(JSON.parse(args)).toEqual({ to: 'bob@example.com' })
  })

  it('passes usage chunks, errors and [DONE] through untouched', async () => {
    const vault = vaultWith('bob@example.com')
    const usage = { id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1 } }
    const { events } = await read(restoreStream(sse([chunk({ content: '[EMAIL_1]' }), usage, { error: { message: 'x' } }, '[DONE]']), vault))
    expect(events.slice(1)).toEqual([usage, { error: { message: 'x' } }, { done: true }])
  })
})

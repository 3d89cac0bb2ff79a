import { describe, expect, it } from 'vitest'
import { withStandardUsage } from './groq-usage.ts'

const encoder = new TextEncoder()

/** Feeds the text in awkward pieces, as a network would. */
function streamOf(text: string, pieceSize = 7): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text)
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + pieceSize))
      offset += pieceSize
    },
  })
}

const chunk = (extra: Record<string, unknown>) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 5, model: 'llama', choices: [{ index: 0, delta: {}, finish_reason: null }], ...extra })}\n\n`
const xGroqFinish = chunk({
  choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
  x_groq: { id: 'req_1', usage: { queue_time: 0.1, prompt_tokens: 11, completion_tokens: 4, total_tokens: 15, total_time: 0.2 } },
})

async function events(body: ReadableStream<Uint8Array>): Promise<string[]> {
  return (await new Response(body).text()).split('\n\n').filter(Boolean)
}

describe('withStandardUsage', () => {
  it('adds an OpenAI usage chunk before [DONE] when usage came only in x_groq', async () => {
    const out = await events(withStandardUsage(streamOf(chunk({ choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] }) + xGroqFinish + 'data: [DONE]\n\n')))
    expect(out).toHaveLength(4)
    expect(JSON.parse(out[2]!.slice(6))).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 5,
      model: 'llama',
      choices: [],
      usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
    })
    expect(out[3]).toBe('data: [DONE]')
  })

  it('passes a stream that already has the standard usage chunk through unchanged', async () => {
    const input = xGroqFinish + chunk({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 } }) + 'data: [DONE]\n\n'
    expect(await new Response(withStandardUsage(streamOf(input))).text()).toBe(input)
  })

  it('invents nothing when there is no usage at all', async () => {
    const input = chunk({}) + 'data: [DONE]\n\n'
    expect(await new Response(withStandardUsage(streamOf(input))).text()).toBe(input)
  })
})

/**
 * The stream cut, end to end in workerd: a budget crossed mid-stream ends the stream with an OpenAI
 * error event that the official `openai` client raises; the upstream call is cancelled; the usage
 * event records the cut; the cut answer is never cached.
 */
import OpenAI from 'openai'
import { describe, expect, it, vi } from 'vitest'
import { ask, eventFor, gatewayFor, genv, projectWith, unique } from './harness.ts'

// 2,000 characters: the fake streams them in 4 pieces of ~125 tokens each, 50 ms apart.
const LONG = 'Once upon a time there was a gateway that counted every token. '.repeat(32).slice(0, 2000)
const script = (tag: string) => `text=${encodeURIComponent(LONG)},gap-50,tag-${tag}`
const story = { model: 'scripted', messages: [{ role: 'user', content: 'Tell me a long story' }] }

async function fakeRequests(): Promise<{ headers: Record<string, string>; closedEarly?: boolean }[]> {
  return (await (await fetch(`${genv.FAKE_OPENAI_URL.replace(/\/v1$/, '')}/__requests`)).json()) as never
}

describe('a budget crossed mid-stream', () => {
  it('ends the stream with an error event the openai client raises; upstream is cancelled; the event records the cut', async () => {
    // gpt-4o-mini output is $0.60 per million tokens: $0.0002 leaves room for ~330 output tokens.
    const tag = unique()
    const project = await projectWith('budgets: { daily: { scope: project, usd: 0.0002 } }', { script: script(tag) })
    const id = `cut-${tag}`
    const client = gatewayFor(project).client({ headers: { 'x-request-id': id } })

    const stream = await client.chat.completions.create({ ...story, stream: true } as OpenAI.ChatCompletionCreateParamsStreaming)
    let text = ''
    const raised = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().catch((e: unknown) => e)

    expect(raised).toBeInstanceOf(OpenAI.APIError)
    expect(raised).toMatchObject({ code: 'budget_exceeded', type: 'insufficient_quota' })
    expect((raised as Error).message).toContain('`daily`')
    // Part of the answer arrived before the cut, not all of it.
    expect(text.length).toBeGreaterThan(0)
    expect(text.length).toBeLessThan(LONG.length)
    expect(LONG.startsWith(text)).toBe(true)

    // The gateway cancelled its upstream call: the fake saw its client go before the answer ended.
    await vi.waitFor(async () => {
      const upstream = (await fakeRequests()).find((r) => r.headers['x-fake-script']?.includes(`tag-${tag}`))
      expect(upstream?.closedEarly).toBe(true)
    }, { timeout: 5_000 })

    expect(await eventFor(id)).toMatchObject({ status: 200, completed: 0, stream: 1, error_code: 'budget_exceeded', budget: 'stream_cut:daily' })
    expect((await eventFor(id)).output_tokens as number).toBeGreaterThan(0)
  })

  it('a cut answer is never cached, and a session token budget cuts the same way', async () => {
    const tag = unique()
    const project = await projectWith('budgets: { chat: { scope: session, tokens: 300 } }', { cache: true, script: script(tag) })
    const g = gatewayFor(project)
    const body = { ...story, stream: true }
    const read = async (session: string) => {
      const res = await g.post(body, { 'x-watchllm-session': session })
      return { cache: res.headers.get('x-watchllm-cache'), text: await res.text() }
    }
    const first = await read(`s1-${tag}`)
    expect(first.cache).toBe('MISS')
    expect(first.text).toMatch(/data: \{"error":\{"message":"Budget `chat` reached[^"]*","type":"insufficient_quota","param":null,"code":"budget_exceeded"\}\}\n\n$/)
    expect(first.text).not.toContain('[DONE]')
    await g.settled()
    // Another session, the same request: not a cache hit (nothing was stored), and cut again.
    const second = await read(`s2-${tag}`)
    expect(second.cache).toBe('MISS')
    expect(second.text).toContain('"code":"budget_exceeded"')
  })

  it('a stream within its budget is untouched', async () => {
    const g = gatewayFor(await projectWith('budgets: { daily: { scope: project, usd: 1 } }'))
    const res = await g.post({ ...ask('short'), stream: true })
    const text = await res.text()
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)
    expect(text).not.toContain('"error"')
  })
})

import { describe, expect, it } from 'vitest'
import { contextKey, entryId, semanticQuestionOf, type ContextParts, type Ineligible } from './semantic-request.ts'

const policy = { max_turns: 1, min_prompt_chars: 8, allow_tools: false }
const user = (content: unknown) => ({ role: 'user', content })
const system = { role: 'system', content: 'You are a helpful assistant.' }
const parts: ContextParts = { project: 'p', namespace: 'default', alias: 'gpt', route: 'r1', embedder: 'local:use-lite-512', dimensions: 512 }

const keyOf = (body: Record<string, unknown>, over: Partial<ContextParts> = {}) => {
  const asked = semanticQuestionOf(body, policy)
  if (!asked.ok) throw new Error(asked.error)
  return contextKey({ ...parts, ...over }, asked.value.rest)
}

describe('semanticQuestionOf', () => {
  it('takes the last user message as the question, plain or as text parts', () => {
    expect(semanticQuestionOf({ messages: [system, user('How do I reset my password?')] }, policy)).toMatchObject({
      ok: true,
      value: { question: 'How do I reset my password?' },
    })
    const parted = semanticQuestionOf({ messages: [user([{ type: 'text', text: 'How do I ' }, { type: 'text', text: 'reset it?' }])] }, policy)
    expect(parted).toMatchObject({ ok: true, value: { question: 'How do I reset it?' } })
  })

  const refused: ReadonlyArray<readonly [string, Record<string, unknown>, Ineligible]> = [
    ['no messages', { messages: [] }, 'no_messages'],
    ['an assistant message last', { messages: [user('How do I reset my password?'), { role: 'assistant', content: 'Like this.' }] }, 'last_not_user'],
    ['an image in the question', { messages: [user([{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }])] }, 'not_plain_text'],
    ['a question under min_prompt_chars', { messages: [user('  hi  ')] }, 'too_short'],
    ['more earlier user turns than max_turns', { messages: [user('first question'), { role: 'assistant', content: 'a' }, user('second question'), { role: 'assistant', content: 'b' }, user('third question')] }, 'too_many_turns'],
    ['declared tools', { messages: [user('What is the weather in Oslo?')], tools: [{ type: 'function', function: { name: 'f' } }] }, 'has_tools'],
    ['a tool result among earlier turns', { messages: [user('weather?'), { role: 'assistant', content: null, tool_calls: [{ id: 't' }] }, { role: 'tool', content: '12C' }, user('And tomorrow then?')] }, 'has_tools'],
    ['n > 1', { messages: [user('How do I reset my password?')], n: 3 }, 'several_choices'],
  ]
  it.each(refused)('refuses %s', (_, body, reason) => {
    expect(semanticQuestionOf(body, policy)).toEqual({ ok: false, error: reason })
  })

  it('admits tools when the policy allows them, and one earlier user turn at max_turns 1', () => {
    expect(semanticQuestionOf({ messages: [user('What is the weather in Oslo?')], tools: [{ type: 'function' }] }, { ...policy, allow_tools: true }).ok).toBe(true)
    expect(semanticQuestionOf({ messages: [user('first question'), { role: 'assistant', content: 'a' }, user('second question')] }, policy).ok).toBe(true)
  })
})

describe('contextKey', () => {
  const base = { model: 'gpt', messages: [system, user('How do I reset my password?')], temperature: 0 }

  it('ignores the question itself and what cannot change the answer', () => {
    const key = keyOf(base)
    expect(keyOf({ ...base, messages: [system, user('How can I reset my password?')] })).toBe(key)
    expect(keyOf({ ...base, stream: true, user: 'u-1', stream_options: { include_usage: true } })).toBe(key)
    expect(keyOf({ ...base, top_p: 1 })).toBe(key) // the API default
  })

  const changes: ReadonlyArray<readonly [string, Record<string, unknown>, Partial<ContextParts>]> = [
    ['another system prompt', { ...base, messages: [{ role: 'system', content: 'Answer in French.' }, user('How do I reset my password?')] }, {}],
    ['no system prompt', { ...base, messages: [user('How do I reset my password?')] }, {}],
    ['other earlier turns', { ...base, messages: [system, user('I use a Mac.'), { role: 'assistant', content: 'OK' }, user('How do I reset my password?')] }, {}],
    ['another temperature', { ...base, temperature: 0.7 }, {}],
    ['a response format', { ...base, response_format: { type: 'json_object' } }, {}],
    ['another project', base, { project: 'q' }],
    ['another namespace', base, { namespace: 'team-2' }],
    ['another model alias', base, { alias: 'claude' }],
    ['another route', base, { route: 'r2' }],
    ['another embedder', base, { embedder: 'workers-ai:@cf/baai/bge-base-en-v1.5', dimensions: 768 }],
  ]
  it.each(changes)('changes with %s', (_, body, over) => {
    expect(keyOf(body, over)).not.toBe(keyOf(base))
  })

  it('entry ids differ by context and by question', () => {
    expect(entryId('a', 'q')).not.toBe(entryId('b', 'q'))
    expect(entryId('a', 'q')).not.toBe(entryId('a', 'q2'))
    expect(entryId('a', 'q')).toMatch(/^[0-9a-f]{64}$/)
  })
})

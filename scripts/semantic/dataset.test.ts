import { describe, expect, it } from 'vitest'
import { questionGroups } from './dataset.ts'

describe('questionGroups', () => {
  it('puts pairs that share a question, directly or through others, in one group named by its smallest question', () => {
    const groups = questionGroups([
      { cached: 'How do I learn Go?', query: 'What is the best way to learn Go?' },
      { cached: 'Why is the sky blue?', query: 'What makes the sky blue?' },
      { cached: 'What is the best way to  learn go?', query: 'Where can I learn Go?' }, // shares the first pair's query (case, spacing)
      { cached: 'Where can I learn Go?', query: 'Are there Go courses?' },
    ])
    expect(groups[0]).toBe('are there go courses?')
    expect(groups[2]).toBe(groups[0])
    expect(groups[3]).toBe(groups[0])
    expect(groups[1]).toBe('what makes the sky blue?')
  })

  it('does not depend on the order of the pairs', () => {
    const pairs = [
      { cached: 'b', query: 'c' },
      { cached: 'd', query: 'e' },
      { cached: 'c', query: 'a' },
    ]
    const forward = questionGroups(pairs)
    const backward = questionGroups([...pairs].reverse()).reverse()
    expect(backward).toEqual(forward)
    expect(forward).toEqual(['a', 'd', 'a'])
  })
})

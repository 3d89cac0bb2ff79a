import { describe, expect, it } from 'vitest'
import { conflictsOf } from './conflicts.ts'
import { lexicalFeatures } from './features.ts'
import { analyse, MAX_ANALYSED_CHARS, questionKind, stem } from './text.ts'

describe('analyse', () => {
  it('numbers are compared by value, whether written as digits, words or with separators', () => {
    expect([...analyse('Is 1,000 more than two?').numbers].sort()).toEqual(['1000', '2'])
    expect([...analyse('Best phone under 15k in the 3rd quarter').numbers].sort()).toEqual(['15000', '3th'])
    expect([...analyse('Is 2.50 the same as 2.5?').numbers]).toEqual(['2.5'])
  })

  it('contracted negations count as negations', () => {
    expect(analyse("Isn't it safe? I can't tell").negations).toBe(2)
    expect(analyse('Is it safe?').negations).toBe(0)
  })

  it('capitalised words past the sentence start are entities, except in Title Case text', () => {
    expect([...analyse('What is the capital of France?').entities]).toEqual(['franc'])
    expect([...analyse('What Is The Best Laptop Under 500 Dollars?').entities]).toEqual([])
    expect([...analyse('Can I find an IT job in the US?').entities].sort()).toEqual(['it', 'us'])
  })

  it('the question kind comes from the first question, not from a relative "which"', () => {
    expect(questionKind(analyse('Why is the sky blue?'))).toBe('wh')
    expect(questionKind(analyse('In which year did Rome fall?'))).toBe('wh')
    expect(questionKind(analyse('Is the sky blue?'))).toBe('yes_no')
    expect(questionKind(analyse('The converter is a tool which turns files into text.'))).toBe('other')
  })

  it('questions about an unseen attachment are marked', () => {
    expect(analyse('What type of insect is this?').deictic).toBe(true)
    expect(analyse('How do I solve the equation below?').deictic).toBe(true)
    expect(analyse('What type of insect eats aphids?').deictic).toBe(false)
  })
})

describe('stem', () => {
  it('maps inflections of one word alike', () => {
    expect(new Set(['hire', 'hired', 'hires', 'hiring'].map(stem)).size).toBe(1)
    expect(stem('countries')).toBe(stem('country'))
  })
})

describe('cost on adversarial input', () => {
  // Each input family at two sizes in the same run: linear code takes ~8× as long on 8× the
  // input, quadratic code ~64×. The bound sits between the two (a loaded 2-core machine measured
  // 31× once for linear code: GC of the 1 MB strings); best of five runs absorbs scheduling hiccups.
  // What is asserted is the ratio, not the time: ten runs of 1 MB inputs took 5.9 s once on a loaded
  // machine, past vitest's default 5 s, so these tests get room (a quadratic run would still fail the ratio).
  const GROWTH_TIMEOUT_MS = 30_000
  const SMALL = 128 * 1024
  const LARGE = 1024 * 1024
  const families: ReadonlyArray<readonly [string, (n: number) => string]> = [
    ['a question then spaces', (n) => `What insect is this${' '.repeat(n)}x`],
    ['a question then marks', (n) => `What insect is this${'?. '.repeat(n / 3)}x`],
    ['digits with separators', (n) => `${'1.'.repeat(n / 2)}x`],
    ['one long digit run', (n) => `${'9'.repeat(n)},x`],
    ['one long word before a contraction', (n) => `${'a'.repeat(n)}n't`],
    ['contractions', (n) => "can't they've he's ".repeat(n / 19)],
    ['capitals then a digit', (n) => `${'A'.repeat(n)}1`],
    ['pointing words', (n) => 'this '.repeat(n / 5)],
    ['title case names', (n) => 'Aa Bb Cc. '.repeat(n / 10)],
    ['operators and numbers', (n) => '1-2+3<4 '.repeat(n / 8)],
    ['repeated doubled consonants', (n) => `${'bb'.repeat(n / 2)}s`],
  ]
  const timeOf = (f: () => unknown): number => {
    let best = Infinity
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      f()
      best = Math.min(best, performance.now() - t)
    }
    return best
  }
  const growth = (f: (text: string) => unknown, family: (n: number) => string): number => {
    const small = family(SMALL)
    const large = family(LARGE)
    // Sub-millisecond timings are all noise: floor both so a bounded function reads as ~1×.
    return Math.max(timeOf(() => f(large)), 1) / Math.max(timeOf(() => f(small)), 1)
  }

  it.each(families)('analysing 1 MB grows linearly (%s), with or without the length bound', (_, family) => {
    expect(growth((t) => analyse(t, Infinity), family)).toBeLessThan(44)
    expect(growth((t) => analyse(t), family)).toBeLessThan(44)
  }, GROWTH_TIMEOUT_MS)

  it.each(families)('comparing two analysed 1 MB texts grows linearly (%s)', (_, family) => {
    const compare = (t: string) => {
      const a = analyse(t, Infinity)
      const b = analyse(`${t} more`, Infinity)
      return [conflictsOf(a, b), lexicalFeatures(a, b)]
    }
    expect(growth(compare, family)).toBeLessThan(44)
  }, GROWTH_TIMEOUT_MS)

  it('the decision reads at most MAX_ANALYSED_CHARS of a prompt', () => {
    const long = `How do I reset my password?${' x'.repeat(MAX_ANALYSED_CHARS)} Paris`
    expect(analyse(long).entities.has('paris')).toBe(false)
    expect(analyse(long, Infinity).entities.has('paris')).toBe(true)
    expect(stem('b'.repeat(LARGE))).toBe('b'.repeat(LARGE - 1))
  })
})

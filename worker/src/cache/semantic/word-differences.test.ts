import { describe, expect, it } from 'vitest'
import { NETWORK_MODEL } from './pair-model-params.ts'
import { analyse } from './text.ts'
import { pairWordKeys, SHAPE_BUCKETS, shapeOf, wordDifferenceFeatures, type WordDifferenceParams } from './word-differences.ts'

const keys = (query: string, cached: string) => pairWordKeys(analyse(query), analyse(cached))

// bias 0.5; "wife" −2, "girlfriend" −1.5, shared "best" +1, and every unknown long word −0.25.
const params: WordDifferenceParams = {
  words: ['d:other:digit', 'd:other:short', 'd:other:mid', 'd:other:long', 'd:other:verylong', 'd:wife', 'd:girlfriend', 's:best'].join(' '),
  weights: [-1, 0, 0, -0.25, -0.25, -2, -1.5, 1],
  bias: 0.5,
}

describe('pairWordKeys', () => {
  it('names each word only one side has once (d:) and each shared word once (s:)', () => {
    // Tokens are stemmed: "wife" is "wif".
    expect(keys('What gift should I buy my wife?', 'What gift should I buy my girlfriend? My girlfriend!').sort()).toEqual(
      ['s:what', 's:gift', 's:should', 's:i', 's:buy', 's:my', 'd:wif', 'd:girlfriend'].sort(),
    )
  })

  it('is the same whichever side asks', () => {
    expect(keys('How do I learn Python fast?', 'How can I learn Python?').sort()).toEqual(keys('How can I learn Python?', 'How do I learn Python fast?').sort())
  })
})

describe('wordDifferenceFeatures', () => {
  it('adds the bias and the weight of every key; worst and best read only the differing words', () => {
    const [margin, worst, best] = wordDifferenceFeatures(params, ['s:best', 'd:wife', 'd:girlfriend'])
    expect(margin).toBeCloseTo(0.5 + 1 - 2 - 1.5)
    expect(worst).toBe(-2)
    expect(best).toBe(0)
  })

  it('weighs a word outside the vocabulary by its shape, and ignores a key with no bucket fitted', () => {
    expect(shapeOf('xerophiles')).toBe('other:verylong')
    expect(shapeOf('osmophile')).toBe('other:long')
    expect(shapeOf('x11')).toBe('other:digit')
    expect(wordDifferenceFeatures(params, ['d:xerophiles', 'd:x11'])).toEqual([0.5 - 0.25 - 1, -1, 0])
    expect(wordDifferenceFeatures(params, ['s:unknownword'])).toEqual([0.5, 0, 0])
  })

  it('the shipped word model has one weight per vocabulary entry and a bucket for every shape', () => {
    const words = NETWORK_MODEL.words
    if (!words) return
    const vocabulary = words.words.split(' ')
    expect(vocabulary).toHaveLength(words.weights.length)
    expect(new Set(vocabulary).size).toBe(vocabulary.length)
    for (const shape of SHAPE_BUCKETS) expect(vocabulary).toEqual(expect.arrayContaining([`d:${shape}`, `s:${shape}`]))
  })
})

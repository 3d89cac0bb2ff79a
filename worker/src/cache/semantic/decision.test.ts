import { describe, expect, it } from 'vitest'
import { decideSemanticHit, defaultThreshold, MIN_COSINE, modelFor, tightenThreshold, type SemanticRefusal } from './decision.ts'
import { LEXICAL_MODEL, NETWORK_MODEL } from './pair-model-params.ts'
import { matchesFeatures } from './pair-model.ts'
import { unitVector } from './test-vectors.ts'

const LOCAL = 'local:use-lite-512'
const CLOUD = 'workers-ai:@cf/baai/bge-base-en-v1.5'
const lexical = (query: string, cached: string, cosine: number, threshold?: number) =>
  decideSemanticHit({ query, cached, cosine, embedder: CLOUD }, threshold === undefined ? {} : { threshold })

// Cached prompt, asking prompt, and the rule that refuses them outright (a rule fit.ts kept because
// train data supports it). Each looks alike to a sentence encoder but asks something else.
const REFUSED: ReadonlyArray<readonly [cached: string, query: string, refusal: SemanticRefusal]> = [
  ['Is ibuprofen safe during pregnancy?', 'Is ibuprofen not safe during pregnancy?', 'negation_differs'],
  ['Is it safe to drink tap water in Lisbon?', "Isn't it safe to drink tap water in Lisbon?", 'negation_differs'],
  ['Who did Alice hire?', 'Who hired Alice?', 'roles_reversed'],
  ['Is Alice taller than Bob?', 'Is Bob taller than Alice?', 'roles_reversed'],
  ['What is 2 + 2?', 'What is 2 + 3?', 'number_differs'],
  ['Who won the World Cup in 2019?', 'Who won the World Cup in 2020?', 'number_differs'],
  ['How much is 1,000 dollars in euros?', 'How much is two thousand dollars in euros?', 'number_differs'],
  ['How do I buy Bitcoin?', 'How do I sell Bitcoin?', 'opposite_words'],
  ['What is the longest river in Europe?', 'What is the shortest river in Europe?', 'opposite_words'],
  ['What type of insect is this?', 'What type of insect is that?', 'refers_to_attachment'],
]

// Differences train data did not support as outright refusals: the model must still not serve them.
const SCORED_LOW: ReadonlyArray<readonly [cached: string, query: string]> = [
  ['What is the capital of France?', 'What is the capital of Spain?'],
  ['How do I install Docker on Ubuntu?', 'How do I install Docker on Windows?'],
  ['What is 2 + 2?', 'What is 2 - 2?'],
  ['Did Apple release a new iPhone?', 'Why did Apple release a new iPhone?'],
]

describe('decideSemanticHit', () => {
  it('every rule of these cases is kept by the fit for the lexical model; the network keeps the ones train supports for it', () => {
    for (const [, , refusal] of REFUSED) expect(LEXICAL_MODEL.refusing as readonly string[]).toContain(refusal)
    expect(NETWORK_MODEL.refusing).toEqual(expect.arrayContaining(['negation_differs', 'roles_reversed', 'opposite_words']))
  })

  it.each(REFUSED)('"%s" is never served for "%s" (%s) by a model that keeps the rule, whatever the cosine or threshold', (cached, query, refusal) => {
    expect(lexical(query, cached, 0.97)).toMatchObject({ hit: false, score: 0, refusal })
    expect(lexical(query, cached, 0.999, 0).hit).toBe(false)
    const u = unitVector(1, NETWORK_MODEL.dims)
    const network = decideSemanticHit({ query, cached, cosine: 1, embedder: LOCAL, queryVector: u, cachedVector: u }, { threshold: 0 })
    // A rule the network's fit dropped (refusing it cost hit rate on train) leaves the pair to its score.
    if ((NETWORK_MODEL.refusing as readonly string[]).includes(refusal)) expect(network).toMatchObject({ hit: false, refusal })
    else expect(network.refusal).toBeNull()
  })

  it.each(SCORED_LOW)('"%s" is not served for "%s" at the default threshold, even at cosine 0.97', (cached, query) => {
    const d = lexical(query, cached, 0.97)
    expect(d.hit).toBe(false)
    expect(d.score).toBeLessThan(defaultThreshold(CLOUD))
  })

  it('an identical prompt scores 1; a paraphrase is served at its score and refused just above it', () => {
    const text = 'How do I reset my password?'
    expect(lexical(text, text, 1, 1)).toMatchObject({ hit: true, score: 1, refusal: null })
    const d = lexical('How can I reset my password?', text, 0.98)
    expect(d.score).toBeGreaterThan(0)
    expect(d.score).toBeLessThan(1)
    expect(lexical('How can I reset my password?', text, 0.98, d.score).hit).toBe(true)
    expect(lexical('How can I reset my password?', text, 0.98, d.score + 0.001)).toMatchObject({ hit: false, refusal: null, score: d.score })
  })

  it('the same words with another operator are scored by the model, not served as the same words', () => {
    const u = unitVector(6, NETWORK_MODEL.dims)
    const d = decideSemanticHit({ query: 'What is 2 - 2?', cached: 'What is 2 + 2?', cosine: 1, embedder: LOCAL, queryVector: u, cachedVector: u })
    expect(d.score).not.toBe(1)
    expect(lexical('What is 2 - 2?', 'What is 2 + 2?', 1, 0).hit).toBe(false)
  })

  it('the network scores only with vectors of the embedder it was fitted on; anything else gets the lexical model', () => {
    const u = unitVector(2, NETWORK_MODEL.dims)
    const text = 'How do I reset my password?'
    expect(decideSemanticHit({ query: text, cached: text, cosine: 1, embedder: LOCAL, queryVector: u, cachedVector: u }).model).toBe('network')
    expect(decideSemanticHit({ query: text, cached: text, cosine: 1, embedder: CLOUD, queryVector: u, cachedVector: u }).model).toBe('lexical')
    const short = unitVector(3, 384)
    expect(decideSemanticHit({ query: text, cached: text, cosine: 1, embedder: LOCAL, queryVector: short, cachedVector: short }).model).toBe('lexical')
    expect(modelFor(LOCAL)).toBe(NETWORK_MODEL)
    expect(modelFor(CLOUD)).toBe(LEXICAL_MODEL)
  })

  it('scores are probabilities, and the network never scores lower as the cosine rises, all else equal', () => {
    const text = 'What is the best way to learn Python?'
    const other = 'What is the best way to learn programming in Python?'
    const u = unitVector(4, NETWORK_MODEL.dims)
    const v = unitVector(5, NETWORK_MODEL.dims)
    for (let cosine = MIN_COSINE; cosine <= 1; cosine += 0.01) {
      const { score } = decideSemanticHit({ query: other, cached: text, cosine, embedder: LOCAL, queryVector: u, cachedVector: v })
      expect(score).toBeGreaterThanOrEqual(0)
      expect(score).toBeLessThanOrEqual(1)
    }
  })

  it('pairs below the gate, with a broken cosine, or with a side longer than the analysed bound are refused', () => {
    const text = 'How do I reset my password?'
    expect(lexical(text, text, MIN_COSINE - 0.01)).toMatchObject({ hit: false, refusal: 'cosine_below_minimum' })
    expect(lexical(text, text, Number.NaN)).toMatchObject({ hit: false, refusal: 'cosine_below_minimum' })
    expect(lexical(`${text}${' x'.repeat(5_000)}`, text, 1)).toMatchObject({ hit: false, refusal: 'text_too_long' })
  })

  it('the shipped parameters fit the features this code computes, with thresholds in (0.5, 1)', () => {
    for (const m of [NETWORK_MODEL, LEXICAL_MODEL]) {
      expect(matchesFeatures(m)).toBe(true)
      expect(m.threshold).toBeGreaterThan(0.5)
      expect(m.threshold).toBeLessThan(1)
    }
    expect(defaultThreshold(LOCAL)).toBe(NETWORK_MODEL.threshold)
  })

  it('the shipped network is read by its second stage, whose trees are well formed', () => {
    const stack = NETWORK_MODEL.stack
    expect(stack?.trees.length).toBeGreaterThan(0)
    const inputs = 2 + NETWORK_MODEL.lexical.length
    for (const t of stack?.trees ?? []) {
      const nodes = t.feature.length
      for (const k of [t.threshold, t.left, t.right, t.value]) expect(k).toHaveLength(nodes)
      t.feature.forEach((f, i) => {
        expect(f).toBeLessThan(inputs)
        // Children come after their parent: no walk can cycle.
        if (f >= 0) expect(Math.min(t.left[i] ?? 0, t.right[i] ?? 0)).toBeGreaterThan(i)
        if (f >= 0) expect(Math.max(t.left[i] ?? 0, t.right[i] ?? 0)).toBeLessThan(nodes)
      })
    }
  })
})

describe('tightenThreshold', () => {
  it('a request may raise the threshold but never lower it', () => {
    expect(tightenThreshold(0.9, 0.95)).toBe(0.95)
    expect(tightenThreshold(0.9, 0.5)).toBe(0.9)
    expect(tightenThreshold(0.9, 1.5)).toBe(1)
    expect(tightenThreshold(0.9, undefined)).toBe(0.9)
    expect(tightenThreshold(0.9, Number.NaN)).toBe(0.9)
  })
})

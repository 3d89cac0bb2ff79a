import { describe, expect, it } from 'vitest'
import { DECISION_PARAMS } from './decision-params.ts'
import { decideSemanticHit, DEFAULT_SEMANTIC_THRESHOLD, MIN_COSINE, tightenThreshold, type SemanticRefusal } from './decision.ts'
import { matchesFeatures } from './model.ts'

// Cached prompt, asking prompt, and the rule that must refuse them: each pair looks alike to a
// sentence encoder but asks something else. They are judged at a very high cosine (0.97).
const HARD_NEGATIVES: ReadonlyArray<readonly [cached: string, query: string, refusal: SemanticRefusal]> = [
  ['Is ibuprofen safe during pregnancy?', 'Is ibuprofen not safe during pregnancy?', 'negation_differs'],
  ['Is it safe to drink tap water in Lisbon?', "Isn't it safe to drink tap water in Lisbon?", 'negation_differs'],
  ['Who did Alice hire?', 'Who hired Alice?', 'roles_reversed'],
  ['Is Alice taller than Bob?', 'Is Bob taller than Alice?', 'roles_reversed'],
  ['What is the capital of France?', 'What is the capital of Spain?', 'entity_differs'],
  ['How do I install Docker on Ubuntu?', 'How do I install Docker on Windows?', 'entity_differs'],
  ['What is 2 + 2?', 'What is 2 + 3?', 'number_differs'],
  ['What is 2 + 2?', 'What is 2 - 2?', 'operator_differs'],
  ['Who won the World Cup in 2019?', 'Who won the World Cup in 2020?', 'number_differs'],
  ['How much is 1,000 dollars in euros?', 'How much is two thousand dollars in euros?', 'number_differs'],
  ['How do I buy Bitcoin?', 'How do I sell Bitcoin?', 'opposite_words'],
  ['What is the longest river in Europe?', 'What is the shortest river in Europe?', 'opposite_words'],
  ['Did Apple release a new iPhone?', 'Why did Apple release a new iPhone?', 'question_kind_differs'],
  ['Can I take aspirin with coffee?', 'Should I take aspirin with coffee?', 'auxiliary_differs'],
  ['What type of insect is this?', 'What type of insect is that?', 'refers_to_attachment'],
]

// True paraphrases at the cosine USE-lite actually gives them (measured with the local model).
const PARAPHRASES: ReadonlyArray<readonly [cached: string, query: string, cosine: number]> = [
  ['How can I prepare for the GRE in 20 days?', 'How do I prepare for the GRE in 20 days?', 0.994],
  ['How do I reset my password?', 'How can I reset my password?', 0.988],
  ['What is the best way to learn Python programming?', 'What is the best way to learn programming in Python?', 0.984],
  ['Why do some deodorants stain shirts?', 'Why do deodorants stain shirts?', 0.99],
  ['What is the chemical formula for water?', "What's the chemical formula of water?", 0.984],
  ['How can I improve my English speaking skills?', 'How do I improve my spoken English skills?', 0.967],
]

describe('decideSemanticHit', () => {
  it.each(HARD_NEGATIVES)('"%s" is not served for "%s" even at cosine 0.97 (%s)', (cached, query, refusal) => {
    const decision = decideSemanticHit(query, cached, 0.97)
    expect(decision).toMatchObject({ hit: false, score: 0, refusal })
    // No threshold makes a refused pair a hit.
    expect(decideSemanticHit(query, cached, 0.999, { threshold: 0 }).hit).toBe(false)
  })

  it.each(PARAPHRASES)('"%s" is served for the paraphrase "%s" (cosine %s)', (cached, query, cosine) => {
    const decision = decideSemanticHit(query, cached, cosine)
    expect(decision.refusal).toBeNull()
    expect(decision.score).toBeGreaterThanOrEqual(DEFAULT_SEMANTIC_THRESHOLD)
    expect(decision.hit).toBe(true)
  })

  it('a paraphrase served at the default threshold is refused under a stricter one', () => {
    const [cached, query, cosine] = PARAPHRASES[0] ?? ['', '', 0]
    const decision = decideSemanticHit(query, cached, cosine)
    expect(decision.hit).toBe(true)
    const strict = decideSemanticHit(query, cached, cosine, { threshold: Math.min(1, decision.score + 0.001) })
    expect(strict).toMatchObject({ hit: false, score: decision.score, refusal: null })
  })

  it('the score is a probability that never falls as the cosine rises', () => {
    for (const [cached, query] of PARAPHRASES) {
      let previous = 0
      for (let cosine = MIN_COSINE; cosine <= 1; cosine += 0.01) {
        const { score } = decideSemanticHit(query, cached, cosine)
        expect(score).toBeGreaterThanOrEqual(0)
        expect(score).toBeLessThanOrEqual(1)
        expect(score).toBeGreaterThanOrEqual(previous - 1e-12)
        previous = score
      }
    }
  })

  it('identical prompts below the minimum cosine, or with a broken cosine, are refused', () => {
    const text = 'How do I reset my password?'
    expect(decideSemanticHit(text, text, MIN_COSINE - 0.01)).toMatchObject({ hit: false, refusal: 'cosine_below_minimum' })
    expect(decideSemanticHit(text, text, Number.NaN)).toMatchObject({ hit: false, refusal: 'cosine_below_minimum' })
    expect(decideSemanticHit(text, text, 1).hit).toBe(true)
  })

  it('the shipped parameters fit the features this code computes', () => {
    expect(matchesFeatures(DECISION_PARAMS)).toBe(true)
    expect(DEFAULT_SEMANTIC_THRESHOLD).toBe(DECISION_PARAMS.threshold)
    expect(DEFAULT_SEMANTIC_THRESHOLD).toBeGreaterThan(0.5)
    expect(DEFAULT_SEMANTIC_THRESHOLD).toBeLessThan(1)
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

/**
 * Judges of a labelled pair: was the cached answer right for the question asked? Both compare the
 * cached answer with a fresh one for the same question (the re-ask of a sampled hit, or the answer
 * a near miss paid for anyway).
 *
 * - `default`: the decision's own calibrated comparison (decision.ts) applied to the two ANSWERS —
 *   their embeddings (the project's embedder) and their text (numbers, negations, swapped roles…).
 *   The answers say the same thing when its score is ≥ JUDGE_SAME_AT. Cheap: one embedding call.
 * - `model:<alias>`: an LLM asked through one of the policy's chat aliases; the default judge's
 *   verdict on the same pair is kept beside it, so their agreement is measured.
 *
 * A judge that fails (embedder down, LLM error, an answer it cannot read) throws: no verdict is
 * recorded, and the threshold stays where it is.
 */
import type { GatewayEnv } from '../../../env.ts'
import type { CompiledPolicy } from '../../../policy/compile.ts'
import type { ResolvedRoute } from '../../../providers/types.ts'
import { decideSemanticHit } from '../decision.ts'
import type { Embedder } from '../embedder.ts'
import { JUDGE_SAME_AT } from '../pair-model-params.ts'
import { dot } from '../quantize.ts'
import { MAX_ANALYSED_CHARS } from '../text.ts'
import { chatOnce } from './upstream-chat.ts'

export interface JudgeInput {
  question: string
  cachedQuestion: string
  cachedAnswer: string
  freshAnswer: string
}

export interface Judgement {
  wrong: boolean
  /** The judge's P(same), when it has one. */
  score: number | null
  /** With an LLM judge: what the default judge said of the same pair. */
  defaultWrong: boolean | null
}

export interface Judge {
  /** `default` or `model:<alias>`: stored with each verdict. */
  id: string
  judge(input: JudgeInput): Promise<Judgement>
}

/**
 * The default judge's cut on its score, fitted by scripts/semantic/fit.ts on qqp-train (out-of-fold
 * network scores of question pairs): the lowest cut that calls ≤ 5 % of different-question pairs
 * "same" (see pair-model-params.ts for what it does on train). A judge should rather over-report
 * wrong answers — the bound stays conservative — than miss them. Its error on pairs of ANSWERS is
 * not measured offline (no labelled answer pairs): online, an LLM judge's verdicts are the
 * reference (agreement).
 */
export { JUDGE_SAME_AT }

export function defaultJudge(embedder: Embedder): Judge {
  return {
    id: 'default',
    async judge({ cachedAnswer, freshAnswer }) {
      const a = clip(freshAnswer)
      const b = clip(cachedAnswer)
      if (a === '' || b === '') throw new Error('an answer has no text to compare')
      if (a === b) return { wrong: false, score: 1, defaultWrong: null }
      const [u, v] = await embedder.embed([a, b])
      if (!u || !v || u.length !== v.length) throw new Error('the embedder gave no vectors for the answers')
      const d = decideSemanticHit({ query: a, cached: b, cosine: dot(u, v), embedder: embedder.id, queryVector: u, cachedVector: v }, { threshold: JUDGE_SAME_AT })
      return { wrong: !d.hit, score: d.score, defaultWrong: null }
    },
  }
}

export function llmJudge(policy: CompiledPolicy, route: ResolvedRoute, env: GatewayEnv, fallback: Judge): Judge {
  return {
    id: `model:${route.alias}`,
    async judge(input) {
      const answer = await chatOnce(policy, route, { model: route.alias, temperature: 0, max_tokens: 5, messages: judgeMessages(input) }, env)
      const word = /\b(SAME|DIFFERENT)\b/i.exec(answer.text)?.[1]?.toUpperCase()
      if (!word) throw new Error('the judge model answered neither SAME nor DIFFERENT')
      // The default judge's view of the same pair, for the agreement shown on the admin Cache page.
      const reference = await fallback.judge(input).catch(() => undefined)
      return { wrong: word === 'DIFFERENT', score: null, defaultWrong: reference ? reference.wrong : null }
    },
  }
}

function judgeMessages(i: JudgeInput): { role: 'system' | 'user'; content: string }[] {
  return [
    {
      role: 'system',
      content:
        'You check a cache. An answer given to question A was reused for question B. Compare it with a fresh answer to question B. ' +
        'Reply with one word: SAME if the reused answer answers question B as correctly as the fresh one (same facts and conclusion), DIFFERENT otherwise.',
    },
    {
      role: 'user',
      content: `Question A: ${clip(i.cachedQuestion)}\nQuestion B: ${clip(i.question)}\n\nReused answer (to A):\n${clip(i.cachedAnswer)}\n\nFresh answer (to B):\n${clip(i.freshAnswer)}`,
    },
  ]
}

function clip(text: string): string {
  return text.trim().slice(0, MAX_ANALYSED_CHARS)
}

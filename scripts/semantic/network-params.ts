/**
 * Turns trained networks (mlp.ts) into the Worker's NetworkParams: the members' first layers
 * quantised to int8 per hidden unit on STANDARDISED inputs, the standardisation folded back in
 * (`inputScale` = 1 / scale; the means into `b1`, computed with the quantised weights so the
 * fold is exact). fit.ts scores its out-of-fold pairs through these very params and the Worker's
 * networkScore, so the threshold is chosen on the scores the Worker computes.
 */
import type { BoostedTrees } from '../../worker/src/cache/semantic/boosted-trees.ts'
import type { Conflict } from '../../worker/src/cache/semantic/conflicts.ts'
import type { NetworkParams } from '../../worker/src/cache/semantic/pair-model.ts'
import type { Mlp } from './mlp.ts'

export interface NetworkMeta {
  embedders: readonly string[]
  dims: number
  lexical: readonly string[]
  gate: number
  threshold: number
  refusing: readonly Conflict[]
  stack: BoostedTrees | null
}

export function toNetworkParams(members: readonly Mlp[], meta: NetworkMeta): NetworkParams {
  const [first] = members
  if (!first) throw new Error('no network to export')
  const { inputs, hidden, mean, scale } = first
  // One inputScale serves every member only because all were trained on the same rows.
  for (const m of members) if (m.inputs !== inputs || m.hidden !== hidden || m.mean.some((x, j) => x !== mean[j] || m.scale[j] !== scale[j])) throw new Error('members differ in shape or training rows')
  const bytes = new Uint8Array(members.length * hidden * inputs)
  const w1Scale: number[] = []
  const b1: number[] = []
  members.forEach((m, k) => {
    for (let u = 0; u < hidden; u++) {
      const row = u * inputs
      let max = 0
      for (let j = 0; j < inputs; j++) max = Math.max(max, Math.abs(m.w1[row + j]!))
      const s = max > 0 ? max / 127 : 1
      w1Scale.push(s)
      let shift = 0
      for (let j = 0; j < inputs; j++) {
        const q = Math.round(m.w1[row + j]! / s)
        bytes[(k * hidden + u) * inputs + j] = q & 0xff
        shift += (q * s * mean[j]!) / scale[j]!
      }
      b1.push(m.b1[u]! - shift)
    }
  })
  return {
    kind: 'network',
    embedders: meta.embedders,
    dims: meta.dims,
    lexical: meta.lexical,
    gate: meta.gate,
    threshold: meta.threshold,
    refusing: meta.refusing,
    members: members.length,
    hidden,
    w1: Buffer.from(bytes).toString('base64'),
    w1Scale,
    inputScale: Array.from(scale, (x) => 1 / x),
    b1,
    w2: members.flatMap((m) => Array.from(m.w2)),
    b2: members.map((m) => m.b2),
    stack: meta.stack,
  }
}

const list = (xs: readonly number[], digits = 6): string => `[${xs.map((x) => Number(x.toPrecision(digits))).join(', ')}]`

/** The params as the TypeScript literal written into pair-model-params.ts. */
export function renderNetworkParams(p: NetworkParams): string {
  return `export const NETWORK_MODEL: NetworkParams = {
  kind: 'network',
  embedders: ${JSON.stringify(p.embedders)},
  dims: ${p.dims},
  members: ${p.members},
  hidden: ${p.hidden},
  lexical: ${JSON.stringify(p.lexical)},
  gate: ${p.gate},
  threshold: ${Number(p.threshold.toFixed(4))},
  refusing: ${JSON.stringify(p.refusing)},
  w1Scale: ${list(p.w1Scale)},
  inputScale: ${list(p.inputScale)},
  b1: ${list(p.b1)},
  w2: ${list(p.w2)},
  b2: ${list(p.b2)},
  w1: '${p.w1}',
  stack: ${renderStack(p.stack)},
}`
}

/** Trees at full precision: a threshold rounded past a training value would send it the other way. */
function renderStack(stack: BoostedTrees | null): string {
  if (!stack) return 'null'
  const tree = (t: BoostedTrees['trees'][number]) =>
    `{ feature: ${JSON.stringify(t.feature)}, threshold: ${JSON.stringify(t.threshold)}, left: ${JSON.stringify(t.left)}, right: ${JSON.stringify(t.right)}, value: ${JSON.stringify(t.value)} }`
  return `{\n    base: ${stack.base},\n    trees: [\n${stack.trees.map((t) => `      ${tree(t)},`).join('\n')}\n    ],\n  }`
}

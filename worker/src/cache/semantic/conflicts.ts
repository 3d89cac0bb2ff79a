/**
 * Conflicts: differences between two prompts that change the answer however close their
 * embeddings are. Any conflict refuses a semantic hit outright, before the fitted model is
 * asked: a different number, entity, negation, question kind, operator, auxiliary (tense or
 * mood of a yes/no question), a pair of opposite words, swapped roles, or a question about an
 * attachment the cache cannot see.
 */
import { questionKind, stem, type AnalysedText } from './text.ts'

export const CONFLICTS = [
  'number_differs',
  'entity_differs',
  'negation_differs',
  'question_kind_differs',
  'operator_differs',
  'auxiliary_differs',
  'opposite_words',
  'roles_reversed',
  'refers_to_attachment',
] as const
export type Conflict = (typeof CONFLICTS)[number]

/** Share of content words two prompts must share for a negation difference to refuse the pair. */
export const NEGATION_MIN_OVERLAP = 0.5

// Opposites a sentence encoder places close together ("shortest" / "longest" ≈ 0.997 cosine).
// Written as plain words and stemmed once, so they match the analysed content words.
const OPPOSITES = (
  'buy/sell long/short longest/shortest longer/shorter increase/decrease increase/reduce best/worst better/worse ' +
  'good/bad before/after more/less most/least maximum/minimum max/min high/low highest/lowest higher/lower ' +
  'cheap/expensive cheapest/costliest old/new old/young oldest/youngest male/female man/woman men/women boy/girl ' +
  'win/lose win/loss gain/lose gain/loss profit/loss start/stop open/close import/export positive/negative ' +
  'advantages/disadvantages pros/cons love/hate rich/poor hot/cold early/late first/last easy/hard easy/difficult ' +
  'easiest/hardest fast/slow fastest/slowest big/small large/small biggest/smallest largest/smallest heavy/light ' +
  'add/remove enable/disable install/uninstall upload/download send/receive up/down north/south east/west ' +
  'left/right true/false legal/illegal possible/impossible happy/sad strong/weak wet/dry dead/alive safe/dangerous ' +
  'success/failure pass/fail accept/reject allow/forbid fat/thin fat/skinny friend/enemy asleep/awake'
)
  .split(' ')
  .map((pair) => pair.split('/').map(stem))
const OPPOSITE_OF: ReadonlyMap<string, readonly string[]> = OPPOSITES.reduce((map, [x = '', y = '']) => {
  map.set(x, [...(map.get(x) ?? []), y])
  map.set(y, [...(map.get(y) ?? []), x])
  return map
}, new Map<string, string[]>())
/** Only the first shared words are ranked for role reversal: bounds the quadratic count. */
const MAX_RANKED_WORDS = 64

/** Each conflict's test, in the order they are reported. */
const TESTS: ReadonlyArray<readonly [Conflict, (a: AnalysedText, b: AnalysedText) => boolean]> = [
  ['number_differs', (a, b) => !sameSet(a.numbers, b.numbers)],
  ['entity_differs', (a, b) => hasUnmatched(a.entities, b) || hasUnmatched(b.entities, a)],
  // Negation parity is only telling between close wordings; in long rewordings ("without" ↔
  // "in the absence of") it is left to the model as a feature.
  ['negation_differs', (a, b) => a.negations % 2 !== b.negations % 2 && contentOverlap(a, b) >= NEGATION_MIN_OVERLAP],
  ['question_kind_differs', (a, b) => isWhVersusYesNo(a, b)],
  ['operator_differs', (a, b) => a.operators.join(' ') !== b.operators.join(' ')],
  ['auxiliary_differs', (a, b) => a.auxiliary !== '' && b.auxiliary !== '' && a.auxiliary !== b.auxiliary],
  ['opposite_words', (a, b) => hasOppositeSwap(new Set(a.content), new Set(b.content))],
  ['roles_reversed', (a, b) => rolesReversed(a, b)],
  ['refers_to_attachment', (a, b) => a.deictic || b.deictic],
]

/** Every conflict between two analysed prompts (the model sees them all as features). */
export function conflictsOf(a: AnalysedText, b: AnalysedText): Set<Conflict> {
  const found = new Set<Conflict>()
  for (const [conflict, test] of TESTS) if (test(a, b)) found.add(conflict)
  return found
}

function isWhVersusYesNo(a: AnalysedText, b: AnalysedText): boolean {
  const kinds = new Set([questionKind(a), questionKind(b)])
  return kinds.has('wh') && kinds.has('yes_no')
}

/** Jaccard overlap of the two content-word sets. */
function contentOverlap(a: AnalysedText, b: AnalysedText): number {
  const x = new Set(a.content)
  const y = new Set(b.content)
  let shared = 0
  for (const w of x) if (y.has(w)) shared++
  const union = x.size + y.size - shared
  return union === 0 ? 1 : shared / union
}

/**
 * The shared content words appear in exactly the reverse order ("Who did Alice hire?" /
 * "Who hired Alice?", "Is A taller than B?" / "Is B taller than A?"). Partial reorderings are
 * ordinary rewording and left to the model.
 */
function rolesReversed(a: AnalysedText, b: AnalysedText): boolean {
  return sharedInOrder(a, b).length >= 2 && orderInversion(a, b) === 1
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false
  for (const x of a) if (!b.has(x)) return false
  return true
}

/** An entity of one side that the other side never mentions, in any case. */
function hasUnmatched(entities: ReadonlySet<string>, other: AnalysedText): boolean {
  if (entities.size === 0) return false
  const mentioned = new Set(other.tokens)
  for (const e of entities) if (!other.entities.has(e) && !mentioned.has(e)) return true
  return false
}

/** One side has a word whose opposite only the other side has ("buy" / "sell"). */
function hasOppositeSwap(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) {
    if (b.has(x)) continue
    for (const y of OPPOSITE_OF.get(x) ?? []) if (b.has(y) && !a.has(y)) return true
  }
  return false
}

// Words that make order free: "A or B", "A vs B", and the passive ("X is done by Y").
const ORDER_FREE = new Set(['or', 'and', 'vs', 'v', 'versus', 'between', 'compar', 'comparison', 'differenc', 'different', 'same', 'by'])

/**
 * Share of the shared content-word pairs that appear in opposite orders ("Who did Alice
 * hire?" / "Who hired Alice?"). Zero when either side has an order-free construction.
 */
export function orderInversion(a: AnalysedText, b: AnalysedText): number {
  if (a.tokens.some((t) => ORDER_FREE.has(t)) || b.tokens.some((t) => ORDER_FREE.has(t))) return 0
  const positions = sharedInOrder(a, b).slice(0, MAX_RANKED_WORDS)
  let pairs = 0
  let inverted = 0
  for (let i = 0; i < positions.length; i++) {
    for (let j = i + 1; j < positions.length; j++) {
      pairs++
      if ((positions[i] ?? 0) > (positions[j] ?? 0)) inverted++
    }
  }
  return pairs === 0 ? 0 : inverted / pairs
}

/** For each content word of `a` also in `b` (first occurrences, in a's order): its position in b. */
function sharedInOrder(a: AnalysedText, b: AnalysedText): number[] {
  const firstInB = new Map<string, number>()
  b.content.forEach((t, i) => {
    if (!firstInB.has(t)) firstInB.set(t, i)
  })
  const seen = new Set<string>()
  const positions: number[] = []
  for (const t of a.content) {
    const at = firstInB.get(t)
    if (at !== undefined && !seen.has(t)) positions.push(at)
    seen.add(t)
  }
  return positions
}

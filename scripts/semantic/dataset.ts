/**
 * The semantic-cache evaluation data (../shared/data/semcache, see its README) as labelled
 * (cached, query) pairs: `train` (qqp-train.jsonl, 20,000 Quora pairs) is for fitting every
 * parameter, threshold and rule; `dev` (qqp-dev.jsonl, 3,000 Quora pairs, disjoint) is the test
 * set, read only by `npm run eval:semantic`; `paraphrase` (999 technical paraphrases, all
 * positives) is reported beside dev and never fitted on.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

export type Source = 'qqp' | 'paraphrase'
export type Split = 'train' | 'dev' | 'paraphrase'

export interface Pair {
  /** The prompt already in the cache (`text_a`). */
  cached: string
  /** The prompt that asks (`text_b`). */
  query: string
  /** 1 = same question (a hit is right), 0 = different question (a hit is wrong). */
  label: 0 | 1
  source: Source
  split: Split
  /**
   * Deterministic cross-validation fold key, the same for every pair of one question group
   * (questionGroups): Quora repeats questions across pairs, and a fold that splits a group lets
   * the model recognise a question it was fitted on, so out-of-fold figures (and the threshold
   * chosen on them) would be optimistic for questions never seen.
   */
  foldKey: number
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** Beside the repository (as in CI), unless SEMCACHE_DATA_DIR says otherwise. */
export const DATA_DIR = process.env.SEMCACHE_DATA_DIR ?? resolve(REPO_ROOT, '../shared/data/semcache')
export const FILES: Record<Split, string> = { train: 'qqp-train.jsonl', dev: 'qqp-dev.jsonl', paraphrase: 'paraphrase-pairs.json' }

const qqpRow = z.object({ text_a: z.string().min(1), text_b: z.string().min(1), label: z.union([z.literal(0), z.literal(1)]) })
const paraphraseFile = z.array(z.object({ origin: z.string().min(1), similar: z.string().min(1) }))

/** The pairs of one split, in file order. */
export async function loadSplit(split: Split, dataDir: string = DATA_DIR): Promise<Pair[]> {
  const text = await readFile(resolve(dataDir, FILES[split]), 'utf8')
  const rows: Omit<Pair, 'foldKey'>[] =
    split === 'paraphrase'
      ? paraphraseFile.parse(JSON.parse(text)).map((row) => ({ cached: row.origin, query: row.similar, label: 1, source: 'paraphrase', split }))
      : text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line, i) => {
            const row = qqpRow.safeParse(JSON.parse(line))
            if (!row.success) throw new Error(`${FILES[split]}:${i + 1}: ${row.error.issues[0]?.message ?? 'invalid row'}`)
            return { cached: row.data.text_a, query: row.data.text_b, label: row.data.label, source: 'qqp', split }
          })
  const group = questionGroups(rows)
  return rows.map((row, i) => ({ ...row, foldKey: createHash('sha256').update(group[i]!).digest().readUInt32BE(4) }))
}

/**
 * Each pair's question group: pairs that share a question (case and spacing aside), directly or
 * through other pairs, form one group, named by its smallest question — so the name does not
 * depend on file order.
 */
export function questionGroups(pairs: readonly { cached: string; query: string }[]): string[] {
  const norm = (text: string) => text.toLowerCase().split(/\s+/).filter(Boolean).join(' ')
  const parent = new Map<string, string>()
  const root = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x)
    let r = x
    while (parent.get(r) !== r) r = parent.get(r)!
    for (let y = x; y !== r; ) {
      const next = parent.get(y)!
      parent.set(y, r)
      y = next
    }
    return r
  }
  // Union by the smaller name: every group's root is its smallest question.
  for (const p of pairs) {
    const [a, b] = [root(norm(p.cached)), root(norm(p.query))]
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b)
  }
  return pairs.map((p) => root(norm(p.cached)))
}

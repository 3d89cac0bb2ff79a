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
  /** Bits of sha256(cached \0 query), for deterministic cross-validation folds. */
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
  if (split === 'paraphrase') return paraphraseFile.parse(JSON.parse(text)).map((row) => pair(row.origin, row.similar, 1, 'paraphrase', split))
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const row = qqpRow.safeParse(JSON.parse(line))
      if (!row.success) throw new Error(`${FILES[split]}:${i + 1}: ${row.error.issues[0]?.message ?? 'invalid row'}`)
      return pair(row.data.text_a, row.data.text_b, row.data.label, 'qqp', split)
    })
}

function pair(cached: string, query: string, label: 0 | 1, source: Source, split: Split): Pair {
  const digest = createHash('sha256').update(`${cached}\u0000${query}`).digest()
  return { cached, query, label, source, split, foldKey: digest.readUInt32BE(4) }
}

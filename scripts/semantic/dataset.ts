/**
 * The semantic-cache evaluation data (../shared/data/semcache, see its README) as labelled
 * (cached, query) pairs, with a deterministic dev / held-out split by a hash of the pair text:
 * the decision is fitted on `dev` only and judged on `heldout`.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

export type Source = 'qqp' | 'paraphrase'
export type Split = 'dev' | 'heldout'

export interface Pair {
  /** The prompt already in the cache. */
  cached: string
  /** The prompt that asks. */
  query: string
  /** 1 = same question (a hit is right), 0 = different question (a hit is wrong). */
  label: 0 | 1
  source: Source
  split: Split
  /** 0–99 from the pair hash: decides the split. */
  bucket: number
  /** Other bits of the same hash, for deterministic cross-validation folds inside a split. */
  foldKey: number
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** Beside the repository (as in CI), unless SEMCACHE_DATA_DIR says otherwise. */
export const DATA_DIR = process.env.SEMCACHE_DATA_DIR ?? resolve(REPO_ROOT, '../shared/data/semcache')
export const SPLIT_RULE = 'sha256(cached + "\\u0000" + query), first two bytes mod 100: < 50 dev, else heldout'

const qqpRow = z.object({ text_a: z.string().min(1), text_b: z.string().min(1), label: z.union([z.literal(0), z.literal(1)]) })
const paraphraseFile = z.array(z.object({ origin: z.string().min(1), similar: z.string().min(1) }))

export async function loadPairs(dataDir: string = DATA_DIR): Promise<Pair[]> {
  const qqpText = await readFile(resolve(dataDir, 'qqp-dev.jsonl'), 'utf8')
  const qqp = qqpText
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const row = qqpRow.safeParse(JSON.parse(line))
      if (!row.success) throw new Error(`qqp-dev.jsonl:${i + 1}: ${row.error.issues[0]?.message ?? 'invalid row'}`)
      return pair(row.data.text_a, row.data.text_b, row.data.label, 'qqp')
    })
  const paraphrases = paraphraseFile
    .parse(JSON.parse(await readFile(resolve(dataDir, 'paraphrase-pairs.json'), 'utf8')))
    .map((row) => pair(row.origin, row.similar, 1, 'paraphrase'))
  return [...qqp, ...paraphrases]
}

function pair(cached: string, query: string, label: 0 | 1, source: Source): Pair {
  const digest = createHash('sha256').update(`${cached}\u0000${query}`).digest()
  const bucket = ((digest[0] ?? 0) * 256 + (digest[1] ?? 0)) % 100
  const foldKey = digest.readUInt32BE(4)
  return { cached, query, label, source, split: bucket < 50 ? 'dev' : 'heldout', bucket, foldKey }
}

/**
 * Node side of the simulation test (run by global-setup): labelled Quora pairs handed to the workerd
 * test through `inject('simulationPairs')`. They are the first 900 usable pairs of
 * ../shared/data/semcache/qqp-train.jsonl — the fitting file, never the dev/test file — kept in
 * fixtures/ so the suite runs in a clone with nothing beside it; SEMCACHE_DATA_DIR reads the full file instead.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface LabelledPair {
  cached: string
  question: string
  same: boolean
}

const TRAIN = process.env.SEMCACHE_DATA_DIR
  ? resolve(process.env.SEMCACHE_DATA_DIR, 'qqp-train.jsonl')
  : fileURLToPath(new URL('./fixtures/qqp-train-first-900.jsonl', import.meta.url))

/** The first `count` pairs of the train file whose two sides differ, in file order. */
export async function loadSimulationPairs(count: number): Promise<LabelledPair[]> {
  const text = await readFile(TRAIN, 'utf8')
  const out: LabelledPair[] = []
  for (const line of text.split('\n')) {
    if (out.length >= count) break
    if (line.trim() === '') continue
    const row = JSON.parse(line) as { text_a: string; text_b: string; label: number }
    if (row.text_a.trim() === row.text_b.trim()) continue
    out.push({ cached: row.text_a, question: row.text_b, same: row.label === 1 })
  }
  return out
}

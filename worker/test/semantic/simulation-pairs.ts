/**
 * Node side of the simulation test (run by global-setup): labelled Quora pairs from
 * ../shared/data/semcache/qqp-train.jsonl — the fitting file, never the dev/test file — handed to
 * the workerd test through `inject('simulationPairs')`. A missing file fails the run, loudly.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface LabelledPair {
  cached: string
  question: string
  same: boolean
}

const DATA = process.env.SEMCACHE_DATA_DIR ?? resolve(fileURLToPath(new URL('../../..', import.meta.url)), '../shared/data/semcache')

/** The first `count` pairs of the train file whose two sides differ, in file order. */
export async function loadSimulationPairs(count: number): Promise<LabelledPair[]> {
  const text = await readFile(resolve(DATA, 'qqp-train.jsonl'), 'utf8')
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

/**
 * A policy change as a reviewer reads it: what the compiled policy says differently, path by path
 * (routes and their targets, projects, keys by id, cache settings, limits, rules…). Written over
 * the compiled policy generically, so sections added later show up without code here. The same
 * text comes out of `npm run preview` (against the deployed stack) and `npm run policy:diff`
 * (against a git revision), so the pull request and the deploy show one thing.
 */
import type { CompiledPolicy } from '../../worker/src/policy/load.ts'

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** What is noise to a reader: the hash (printed once), file names, the key index (keys are read under projects). */
const skipped = new Set(['hash', 'sources', 'keys', 'version'])

/** Array items with an `id` (API keys, rules) or `name` are matched by it, not by position. */
function identity(item: Json): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined
  const id = item['id'] ?? item['name']
  return typeof id === 'string' ? id : undefined
}

/** One line, readable: `openai/gpt-4o-mini`-style for targets, `{a: 1}` for the rest, cut at 160 characters. */
export function render(value: Json | undefined): string {
  const text = (v: Json | undefined): string => {
    if (v === undefined) return '(none)'
    if (v === null || typeof v !== 'object') return typeof v === 'string' ? v : JSON.stringify(v)
    if (Array.isArray(v)) return `[${v.map(text).join(', ')}]`
    if (typeof v['provider'] === 'string' && Object.keys(v).every((k) => ['provider', 'model', 'timeout_ms'].includes(k)))
      return `${v['provider']}${typeof v['model'] === 'string' ? `/${v['model']}` : ''}${v['timeout_ms'] === undefined ? '' : ` (${String(v['timeout_ms'])} ms)`}`
    return `{${Object.entries(v).map(([k, x]) => `${k}: ${text(x)}`).join(', ')}}`
  }
  const out = text(value)
  return out.length > 160 ? `${out.slice(0, 157)}...` : out
}

const isObject = (v: Json | undefined): v is { [k: string]: Json } => v !== undefined && v !== null && typeof v === 'object' && !Array.isArray(v)

function walk(path: string, before: Json | undefined, after: Json | undefined, lines: string[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return
  // A whole section (providers, models, projects…) appearing or going is listed entry by entry.
  const section = path !== '' && !path.includes('.')
  if (before === undefined && !(section && isObject(after))) return void lines.push(`+ ${path}: ${render(after)}`)
  if (after === undefined && !(section && isObject(before))) return void lines.push(`- ${path}: ${render(before)}`)
  before ??= {}
  after ??= {}
  if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) walk(path ? `${path}.${key}` : key, before[key], after[key], lines)
    return
  }
  if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].length > 0 && [...before, ...after].every((i) => identity(i) !== undefined)) {
    const byId = (list: Json[]) => new Map(list.map((i) => [identity(i) as string, i]))
    const [b, a] = [byId(before), byId(after)]
    for (const id of [...new Set([...b.keys(), ...a.keys()])]) walk(`${path}.${id}`, b.get(id), a.get(id), lines)
    return
  }
  lines.push(`~ ${path}: ${render(before)} → ${render(after)}`)
}

/** The readable difference; `before` undefined means nothing is deployed yet. */
export function diffPolicies(before: CompiledPolicy | undefined, after: CompiledPolicy): string[] {
  const view = (p: CompiledPolicy): Json => Object.fromEntries(Object.entries(p).filter(([k]) => !skipped.has(k))) as Json
  const head = `policy ${before ? before.hash.slice(0, 12) : '(none deployed)'} → ${after.hash.slice(0, 12)}`
  if (before?.hash === after.hash) return [`${head}: no change`]
  const lines: string[] = []
  walk('', before ? view(before) : {}, view(after), lines)
  return [head, ...(lines.length > 0 ? lines.map((l) => `  ${l}`) : ['  (only file names or formatting changed)'])]
}

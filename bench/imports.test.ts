// Every gateway module the bench parts import — through tsImport(), a `load('worker/…')` helper, or
// the source of a bench Worker they generate — must exist and export the names asked for. These
// imports are strings tsc cannot follow, so a refactor that moves a module would otherwise break
// `npm run bench` unnoticed (as `routeFingerprint` once did).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const bench = fileURLToPath(new URL('.', import.meta.url))
const root = resolve(bench, '..')

interface Wanted {
  from: string
  file: string
  names: string[]
}

/** `{ a, b as c, type D }` → ['a', 'b', 'D'] */
const namesOf = (list: string): string[] =>
  list
    .split(',')
    .map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+|\s*:\s*/)[0] ?? '')
    .filter((n) => n && n !== 'default')

export function wantedImports(source: string, from: string): Wanted[] {
  const out: Wanted[] = []
  // Generated Workers live in .tmp/bench-<part>/, so '../../worker/…' is the repository's worker/.
  for (const m of source.matchAll(/(?:import|export)\s+(?:type\s+)?\{([^{}\n]*)\}\s+from\s+'\.\.\/\.\.\/(worker\/[^']+)'/g))
    out.push({ from, file: join(root, m[2]!), names: namesOf(m[1]!) })
  for (const m of source.matchAll(/\{([^{}\n]*)\}\s*=\s*await\s+tsImport\('(\.\.\/[^']+)'/g)) out.push({ from, file: resolve(bench, m[2]!), names: namesOf(m[1]!) })
  for (const m of source.matchAll(/\{([^{}\n]*)\}\s*=\s*await\s+load\('([^']+)'\)/g)) out.push({ from, file: join(root, m[2]!), names: namesOf(m[1]!) })
  return out
}

function exportsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8')
  const names = new Set<string>()
  for (const m of text.matchAll(/export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]!)
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^{}\n]*)\}/g))
    for (const part of m[1]!.split(',')) {
      const alias = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)
      const name = (alias[1] ?? alias[0] ?? '').trim()
      if (name) names.add(name)
    }
  return names
}

const parts = readdirSync(bench).filter((f) => f.endsWith('.mjs'))
const wanted = parts.flatMap((f) => wantedImports(readFileSync(join(bench, f), 'utf8'), f))

describe('bench imports', () => {
  it('finds the imports it is meant to check (the patterns still match the bench sources)', () => {
    expect(wanted.length).toBeGreaterThan(20)
    expect(wanted.some((w) => w.from === 'semantic.mjs' && w.names.includes('routeFingerprint'))).toBe(true)
  })

  it('flags a module that moved and a name that is gone', () => {
    const moved = wantedImports("import { routeFingerprint } from '../../worker/src/cache/semantic/nowhere.ts'", 'x.mjs')
    expect(existsSync(moved[0]!.file)).toBe(false)
    const gone = wantedImports("const { notThere } = await load('worker/src/lib/hash.ts')", 'x.mjs')
    expect(exportsOf(gone[0]!.file).has('notThere')).toBe(false)
  })

  it.each(wanted.map((w) => [`${w.from} → ${w.file.slice(root.length + 1)} { ${w.names.join(', ')} }`, w] as const))('%s resolves', (_, w) => {
    expect(existsSync(w.file), `${w.from} imports ${w.file}, which does not exist`).toBe(true)
    const exported = exportsOf(w.file)
    for (const name of w.names) expect(exported.has(name), `${w.file} does not export ${name} (imported by bench/${w.from})`).toBe(true)
  })
})

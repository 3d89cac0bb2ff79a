/**
 * Node-only: reads `*.yaml` from a policy directory (sorted, so the hash is stable) and compiles it.
 * Paths in errors are relative to the current directory, as a developer would type them.
 */
import { readdir, readFile } from 'node:fs/promises'
import { isAbsolute, join, relative } from 'node:path'
import type { Result } from '../lib/result.ts'
import { compilePolicy, type CompiledPolicy, type CompileOptions } from './compile.ts'
import type { PolicyIssue } from './errors.ts'

export { formatPolicyIssues } from './errors.ts'
export type { CompiledPolicy, CompileOptions } from './compile.ts'
export { environmentFrom, type PolicyEnvironment } from './environment.ts'
export type { PolicyIssue } from './errors.ts'

export async function loadPolicyDir(dir: string, options: CompileOptions = {}): Promise<Result<CompiledPolicy, PolicyIssue[]>> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort()
  } catch {
    names = []
  }
  const sources = await Promise.all(
    names.map(async (n) => {
      const full = join(dir, n)
      // Short paths for files under the working directory; a file outside it keeps its absolute path
      // (a `../../…` chain depends on where the command ran and helps no one find the file).
      const local = relative(process.cwd(), full)
      return { path: local && !local.startsWith('..') && !isAbsolute(local) ? local : full, text: await readFile(full, 'utf8') }
    }),
  )
  return compilePolicy(sources, options)
}

/**
 * Runs a package's CLI with the Node running this program (22+, the one npm scripts put on PATH),
 * never a `node` found elsewhere on PATH (this machine's system node is 20).
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** Absolute path of a package's bin script, resolved from `fromDir` (its package.json's deps). */
export function resolveBin(fromDir: string, pkg: string, bin: string): string {
  const require = createRequire(join(fromDir, 'package.json'))
  return join(dirname(require.resolve(`${pkg}/package.json`)), bin)
}

export interface ExecOptions {
  cwd: string
  env?: Record<string, string>
  timeoutMs?: number
}

/** `node <script> …args`; rejects with the tool's own output when it fails. */
export async function execNode(script: string, args: readonly string[], opts: ExecOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...opts.env } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${[script, ...args].join(' ')} failed (${error.message.split('\n')[0]}):\n${stderr || stdout}`))
        else resolve(stdout)
      },
    )
  })
}

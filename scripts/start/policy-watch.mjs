// `npm start` keeps the policy live: every change under the policy directory is recompiled (within
// a fraction of a second) into the module the local gateway bundles, and wrangler dev reloads the
// gateway. A bad edit prints the compiler's `file:line path: message` lines and changes nothing:
// the last good policy keeps serving until the files compile again.
import { watch } from 'node:fs'
import { buildPolicy } from '../build-policy.mjs'
import { formatPolicyIssues } from '../../worker/src/policy/load.ts'

/**
 * @param {{ dir: string, outFile: string, currentHash: string, log?: (text: string) => void, debounceMs?: number }} options
 * @returns {{ close: () => void, settled: () => Promise<void> }}
 */
export function watchPolicy({ dir, outFile, currentHash, log = console.log, debounceMs = 100 }) {
  let hash = currentHash
  let timer
  let running = Promise.resolve()
  const recompile = async () => {
    const result = await buildPolicy(dir, outFile)
    if (!result.ok) {
      log(`policy: ${result.error.length} problem(s), still serving ${hash.slice(0, 12)}:\n${formatPolicyIssues(result.error)}`)
      return
    }
    if (result.value.hash === hash) return
    hash = result.value.hash
    log(`policy: ${hash.slice(0, 12)} compiled from ${result.value.sources.join(', ')}; the gateway reloads it`)
  }
  // Editors write files in bursts (temp file, rename, chmod): one compile per burst, one at a time.
  const watcher = watch(dir, () => {
    clearTimeout(timer)
    timer = setTimeout(() => (running = running.then(recompile, recompile)), debounceMs)
  })
  return {
    close: () => {
      clearTimeout(timer)
      watcher.close()
    },
    settled: () => running,
  }
}

// Types for policy-watch.mjs, so TypeScript callers (tests) are checked.
export declare function watchPolicy(options: {
  dir: string
  outFile: string
  currentHash: string
  log?: (text: string) => void
  debounceMs?: number
}): { close: () => void; settled: () => Promise<void> }

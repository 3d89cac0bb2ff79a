/** Absolute paths inside the repository, independent of the directory Pulumi starts the program in. */
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** A path from stack config: relative paths are relative to the repository root. */
export function fromRepo(path: string): string {
  return isAbsolute(path) ? path : resolve(repoRoot, path)
}

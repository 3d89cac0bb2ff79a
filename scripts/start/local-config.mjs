// The wrangler config one `npm start` runs the gateway with: worker/wrangler.jsonc as is, plus an
// alias that bundles this run's compiled policy (written outside the source tree) in place of
// worker/src/policy/compiled.generated.ts. `wrangler dev` honours `alias` only from a config file,
// so the file is generated next to the policy module; paths in it are made absolute.
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse } from 'jsonc-parser'

/**
 * @param {{ source: string, out: string, policyModule: string }} options
 * @returns {Promise<string>} the generated config's path
 */
export async function writeLocalConfig({ source, out, policyModule }) {
  const config = parse(await readFile(source, 'utf8'))
  const base = dirname(source)
  const absolute = (p) => (isAbsolute(p) ? p : resolve(base, p))
  const alias = { './compiled.generated.ts': policyModule }
  const fixD1 = (list) => list?.map((d) => ({ ...d, ...(d.migrations_dir ? { migrations_dir: absolute(d.migrations_dir) } : {}) }))
  delete config.$schema
  config.main = absolute(config.main)
  config.alias = alias
  config.d1_databases = fixD1(config.d1_databases)
  // `alias` is top-level only (environments inherit it; wrangler warns when an env sets it).
  for (const env of Object.values(config.env ?? {})) env.d1_databases = fixD1(env.d1_databases)
  await writeFile(out, `${JSON.stringify(config, null, 2)}\n`)
  return out
}

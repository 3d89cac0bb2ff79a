/**
 * `npm start` for an end-to-end test: `scripts/start.mjs` on a free port with its own state
 * directory and the demo policy, no provider keys (every model answers from `mock`), waited for
 * until it says it serves; `stop()` ends it (SIGTERM to the process it started; start.mjs stops
 * its own children) and removes the state.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

export interface StartedGateway {
  baseURL: string
  output(): string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export async function runStart(extraEnv: Record<string, string> = {}, timeoutMs = 90_000): Promise<StartedGateway> {
  const port = await freePort()
  const state = mkdtempSync(join(tmpdir(), 'watchllm-e2e-'))
  let output = ''
  const proc = spawn(join(root, 'node_modules/.bin/node'), ['scripts/start.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      WATCHLLM_STATE_DIR: state,
      WATCHLLM_ADMIN: 'off',
      WATCHLLM_EMBEDDINGS: 'off',
      WATCHLLM_POSTGRES: 'off',
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
      GROQ_API_KEY: '',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.stdout?.on('data', (d) => (output += d))
  proc.stderr?.on('data', (d) => (output += d))
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.once('exit', r))
    }
    rmSync(state, { recursive: true, force: true })
  }
  const deadline = Date.now() + timeoutMs
  while (!output.includes('Ctrl-C stops everything')) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`npm start did not come up:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return { baseURL: `http://127.0.0.1:${port}`, output: () => output, stop }
}

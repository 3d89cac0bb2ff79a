// `npm test`'s first step: are the services the suites need here? redis-server (a private one is
// started per run), PostgreSQL on 127.0.0.1:5432 accepting `postgres` without a password (started
// if installed but down), chromium, and the official Python `openai` client (a venv of the repo's
// own, .tmp/python-openai, made here). Missing on a Debian machine as root: scripts/setup-machine.sh
// installs them now (the same script .ci/run uses). Otherwise: stop at once, naming the commands.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const postgresUsable = () => {
  if (!has('pg_ctlcluster') && !has('pg_ctl')) return false
  if (!has('pg_isready') || spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432'], { stdio: 'ignore' }).status !== 0) return 'down'
  return spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-w', '-c', 'select 1'], { stdio: 'ignore' }).status === 0 ? true : 'password'
}

const venv = join(import.meta.dirname, '..', '.tmp', 'python-openai')
const PYTHON_CLIENT = 'openai>=1.40,<4'
const pythonClient = () => spawnSync(join(venv, 'bin', 'python'), ['-c', 'import openai'], { stdio: 'ignore' }).status === 0
function installPythonClient() {
  if (pythonClient() || spawnSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status !== 0) return
  console.log(`test-prereqs: installing the Python client (${PYTHON_CLIENT}) into .tmp/python-openai`)
  spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' })
  // --retries 0: an index that cannot be reached fails at once instead of backing off for minutes.
  spawnSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--retries', '0', PYTHON_CLIENT], { stdio: 'inherit' })
}

function missing() {
  const out = []
  if (!has('redis-server')) out.push('redis-server')
  const pg = postgresUsable()
  if (pg === false) out.push('PostgreSQL')
  else if (pg === 'password') out.push('PostgreSQL trust auth for postgres on 127.0.0.1')
  else if (pg === 'down') out.push('a running PostgreSQL')
  if (!existsSync(chromium) && !has('chromium')) out.push('chromium')
  installPythonClient()
  if (!pythonClient()) out.push('the Python openai client')
  return out
}

let gaps = missing()
if (gaps.length === 0) process.exit(0)
const root = typeof process.getuid === 'function' && process.getuid() === 0
if (root && has('apt-get')) {
  console.log(`test-prereqs: missing ${gaps.join(', ')}: running scripts/setup-machine.sh`)
  execFileSync('bash', ['scripts/setup-machine.sh'], { stdio: 'inherit' })
  gaps = missing()
  if (gaps.length === 0) process.exit(0)
}
console.error(
  `npm test needs ${gaps.join(', ')}. Install and start them with:\n\n  sudo bash scripts/setup-machine.sh\n` +
    (gaps.includes('the Python openai client') ? `  python3 -m venv .tmp/python-openai && .tmp/python-openai/bin/pip install '${PYTHON_CLIENT}'\n` : ''),
)
process.exit(1)

/**
 * `npm run preview | deploy | destroy`: the Pulumi CLI with this repo's Node 22 first on PATH
 * (npm puts node_modules/.bin there), after checking the CLI is installed. Extra arguments pass
 * through: `npm run deploy -- --stack prod --yes`. `preview` first prints the policy change in
 * words (against what the stack deployed), then Pulumi's resource diff.
 */
import { spawn, spawnSync } from 'node:child_process'
import { deployedPolicy, printPolicyDiff, stackPolicyDir } from './policy-diff-command.ts'

const [command, ...rest] = process.argv.slice(2)
const commands: Record<string, string[]> = { preview: ['preview', '--diff'], deploy: ['up'], destroy: ['destroy'] }
const pulumiArgs = command ? commands[command] : undefined
if (!pulumiArgs) {
  console.error(`usage: tsx scripts/deploy/pulumi.ts ${Object.keys(commands).join('|')} [pulumi args…]`)
  process.exit(2)
}

const version = spawnSync('pulumi', ['version'], { encoding: 'utf8' })
if (version.error) {
  console.error('The Pulumi CLI is not installed (or not on PATH): see https://www.pulumi.com/docs/iac/download-install/ and infra/README.md')
  process.exit(127)
}
if (Number(process.versions.node.split('.')[0]) < 22) {
  console.error(`Node ${process.versions.node} is too old: run this through npm so node_modules/.bin/node (22) is used`)
  process.exit(1)
}

if (command === 'preview') {
  const i = rest.findIndex((a) => a === '--stack' || a === '-s' || a.startsWith('--stack='))
  const stackArgs = i < 0 ? [] : rest[i]?.startsWith('--stack=') ? [rest[i] as string] : ['--stack', rest[i + 1] ?? '']
  const stackName = stackArgs.at(-1)?.replace('--stack=', '') ?? 'the current stack'
  if (!(await printPolicyDiff(stackPolicyDir(stackArgs), deployedPolicy(stackArgs), `what ${stackName} deployed`))) process.exit(1)
  console.log('')
}

const child = spawn('pulumi', [...pulumiArgs, ...rest], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0)
})

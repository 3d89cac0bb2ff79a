#!/usr/bin/env node
// `npm run key:new [project]` prints a fresh gateway key and the policy line holding its hash;
// `npm run key:hash -- lgw_…` hashes an existing key. Keys are shown once and never stored.
import { createHash, randomBytes } from 'node:crypto'

const [command, arg] = process.argv.slice(2)
const hash = (key) => createHash('sha256').update(key).digest('hex')
if (command === 'new') {
  const key = `lgw_${randomBytes(24).toString('base64url')}`
  console.log(`key (give it to the client; it is not stored anywhere):\n  ${key}\n\npolicy entry (projects.${arg ?? '<project>'}.keys):\n  - id: ${arg ?? 'my-key'}-${new Date().toISOString().slice(0, 10)}\n    sha256: ${hash(key)}`)
} else if (command === 'hash' && arg) {
  console.log(hash(arg))
} else {
  console.error('usage: npm run key:new [project]  |  npm run key:hash -- <key>')
  process.exit(2)
}

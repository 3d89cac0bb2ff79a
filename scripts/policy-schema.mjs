#!/usr/bin/env node
// `npm run policy:schema`: writes policies/policy.schema.json from the zod schema (the single source),
// so editors validate and complete policy YAML (`# yaml-language-server: $schema=./policy.schema.json`).
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { policyJsonSchema } from '../worker/src/policy/json-schema.ts'

const out = fileURLToPath(new URL('../policies/policy.schema.json', import.meta.url))
await writeFile(out, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`)
console.log(`wrote ${out}`)

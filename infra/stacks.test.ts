/**
 * The checked-in stack files and the README stay in step with the settings schema: each stack
 * validates (once its REPLACE_… placeholders are filled), and every setting is documented.
 */
import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { z } from 'zod'
import { settingsSchema } from './config.ts'

/** Dotted paths of every setting, descending through defaults, optionals and nested objects. */
function settingPaths(schema: z.ZodType, prefix: string): string[] {
  let inner: z.ZodType = schema
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType
  if (!(inner instanceof z.ZodObject)) return [prefix]
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([k, v]) => settingPaths(v, prefix ? `${prefix}.${k}` : k))
}

const placeholders: Record<string, string> = {
  REPLACE_WITH_YOUR_CLOUDFLARE_ACCOUNT_ID: '0123456789abcdef0123456789abcdef',
  REPLACE_WITH_YOUR_SUPABASE_ORG_SLUG: 'acme',
}

describe('stack files', async () => {
  const files = (await readdir('stacks')).filter((f) => /^Pulumi\..+\.yaml$/.test(f))

  test('there is a dev stack and an example production stack', () => {
    expect(files).toEqual(expect.arrayContaining(['Pulumi.dev.yaml', 'Pulumi.prod.yaml']))
  })

  test.each(files)('%s holds only valid watchllm settings (placeholders filled)', async (file) => {
    let text = await readFile(`stacks/${file}`, 'utf8')
    for (const [from, to] of Object.entries(placeholders)) text = text.replaceAll(from, to)
    const config = (parse(text) as { config: Record<string, unknown> }).config
    const settings = Object.fromEntries(
      Object.entries(config)
        .filter(([k]) => k.startsWith('watchllm:'))
        .map(([k, v]) => [k.slice('watchllm:'.length), v]),
    )
    const result = settingsSchema.safeParse(settings)
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([])
    expect(Object.keys(settings).every((k) => k in settingsSchema.shape)).toBe(true)
  })

  test('the placeholders are not valid as they stand, so a forgotten one fails preview', async () => {
    const config = (parse(await readFile('stacks/Pulumi.prod.yaml', 'utf8')) as { config: Record<string, unknown> }).config
    expect(settingsSchema.shape.accountId.safeParse(config['watchllm:accountId']).success).toBe(false)
  })
})

describe('README.md', () => {
  test('documents every stack setting', async () => {
    const readme = await readFile('README.md', 'utf8')
    const undocumented = settingPaths(settingsSchema, '').filter((p) => !readme.includes(`\`watchllm:${p}\``))
    expect(undocumented).toEqual([])
  })
})

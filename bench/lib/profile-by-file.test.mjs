// @ts-check
import { describe, expect, it } from 'vitest'
import { filesByLine, timeByFile } from './profile-by-file.mjs'

const bundle = [
  '// ../../repo/worker/src/stream/relay.ts', // line 1
  'function relay() {}', // 2
  '// ../../repo/node_modules/@scope/pkg/dist/index.js', // 3
  'function lib() {}', // 4
].join('\n')

/** @param {number} id @param {string} name @param {number} line @param {number[]} [children] */
const node = (id, name, line, children = [], url = 'index.js', scriptId = '8') => ({ id, callFrame: { functionName: name, url, scriptId, lineNumber: line - 1 }, children })

describe('profile by file', () => {
  it('names each bundle line by its source file, packages by name', () => {
    const files = filesByLine(bundle)
    expect(files[2]).toBe('worker/src/stream/relay.ts')
    expect(files[4]).toBe('@scope/pkg')
  })

  it('charges a native to the nearest JS file under it and counts a file once per sample in total', () => {
    const profile = {
      nodes: [
        node(1, '(root)', 0, [2, 5], ''),
        node(2, 'relay', 2, [3]),
        node(3, 'lib', 4, [4]),
        node(4, 'read', 0, [], '', '0'),
        node(5, '(idle)', 0, [], '', '0'),
      ],
      samples: [4, 3, 2, 5],
      timeDeltas: [10, 20, 30, 40],
    }
    const { self, total, all } = timeByFile(profile, '8', filesByLine(bundle))
    expect(all).toBe(100)
    expect(Object.fromEntries(self)).toEqual({ 'native<-@scope/pkg': 10, '@scope/pkg': 20, 'worker/src/stream/relay.ts': 30, '(idle)': 40 })
    expect(Object.fromEntries(total)).toEqual({ 'worker/src/stream/relay.ts': 60, '@scope/pkg': 30 })
  })
})

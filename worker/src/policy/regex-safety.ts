/**
 * Compile time only (never in the Worker bundle): whether a rule's regular expression is valid and
 * runs in linear time. scslre (the analyser behind eslint-plugin-regexp) finds every cause of
 * super-linear backtracking — nested quantifiers (`(a+)+`, exponential), quantifiers trading
 * characters (`\d*\w+`, polynomial), and a pattern retried at every position of a long rejecting
 * input (`\w+@x`, quadratic) — so a pattern that could hang on a crafted prompt never ships.
 */
import { analyse } from 'scslre'

export function regexProblem(pattern: string, flags: string): { name: 'InvalidRegex' | 'UnsafeRegex'; message: string } | undefined {
  try {
    new RegExp(pattern, flags)
  } catch (e) {
    return { name: 'InvalidRegex', message: `is not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}` }
  }
  const report = analyse({ source: pattern, flags }, { maxReports: 1 }).reports[0]
  if (!report) return undefined
  const how = report.exponential ? 'exponential' : 'polynomial'
  const fixed = report.fix()
  return {
    name: 'UnsafeRegex',
    message: `/${pattern}/ can backtrack catastrophically (${how} time on a long run of ${JSON.stringify(report.character.pick)}, ${report.type.toLowerCase()})${fixed ? `; an equivalent safe pattern: /${fixed.source}/` : ''}`,
  }
}

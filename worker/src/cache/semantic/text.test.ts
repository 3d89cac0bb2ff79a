import { describe, expect, it } from 'vitest'
import { analyse, questionKind, stem } from './text.ts'

describe('analyse', () => {
  it('numbers are compared by value, whether written as digits, words or with separators', () => {
    expect([...analyse('Is 1,000 more than two?').numbers].sort()).toEqual(['1000', '2'])
    expect([...analyse('Best phone under 15k in the 3rd quarter').numbers].sort()).toEqual(['15000', '3th'])
    expect([...analyse('Is 2.50 the same as 2.5?').numbers]).toEqual(['2.5'])
  })

  it('contracted negations count as negations', () => {
    expect(analyse("Isn't it safe? I can't tell").negations).toBe(2)
    expect(analyse('Is it safe?').negations).toBe(0)
  })

  it('capitalised words past the sentence start are entities, except in Title Case text', () => {
    expect([...analyse('What is the capital of France?').entities]).toEqual(['franc'])
    expect([...analyse('What Is The Best Laptop Under 500 Dollars?').entities]).toEqual([])
    expect([...analyse('Can I find an IT job in the US?').entities].sort()).toEqual(['it', 'us'])
  })

  it('the question kind comes from the first question, not from a relative "which"', () => {
    expect(questionKind(analyse('Why is the sky blue?'))).toBe('wh')
    expect(questionKind(analyse('In which year did Rome fall?'))).toBe('wh')
    expect(questionKind(analyse('Is the sky blue?'))).toBe('yes_no')
    expect(questionKind(analyse('The converter is a tool which turns files into text.'))).toBe('other')
  })

  it('questions about an unseen attachment are marked', () => {
    expect(analyse('What type of insect is this?').deictic).toBe(true)
    expect(analyse('How do I solve the equation below?').deictic).toBe(true)
    expect(analyse('What type of insect eats aphids?').deictic).toBe(false)
  })
})

describe('stem', () => {
  it('maps inflections of one word alike', () => {
    expect(new Set(['hire', 'hired', 'hires', 'hiring'].map(stem)).size).toBe(1)
    expect(stem('countries')).toBe(stem('country'))
  })
})

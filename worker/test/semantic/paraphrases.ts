/**
 * Test questions and a paraphrase the shipped decision accepts at the test policies' threshold
 * (0.8). Fixed words, not random tags: the network's score moves with an unseen token (a random
 * tag scored anywhere from 0.58 to 0.95), and a test must not depend on luck. Each call returns
 * a pair no earlier call in this module instance returned, so tests never share question text.
 */
const WORDS = 'bank laptop phone school cloud forum account wallet tablet camera locker portal library gym office router streaming'.split(' ')
let next = 0

export function paraphrasePair(): { cached: string; paraphrase: string } {
  const word = WORDS[next % WORDS.length] ?? 'bank'
  const round = Math.floor(next / WORDS.length)
  next++
  // Past one round, a second word keeps the text unique (the namespace keeps the contexts apart anyway).
  const thing = round === 0 ? word : `${word} ${WORDS[(round * 7) % WORDS.length]}`
  return { cached: `How do I reset my ${thing} password?`, paraphrase: `How can I reset my ${thing} password?` }
}

import { describe, expect, it } from '@jest/globals'
import { checkPasswordPolicy, SPECIAL_CHARACTERS } from './password-policy'

describe('checkPasswordPolicy', () => {
  it('accepts a password meeting every rule of the guide', () => {
    expect(checkPasswordPolicy('Bonjour2026!')).toEqual([])
    expect(checkPasswordPolicy('Éléphant 42 rose')).toEqual([])
  })

  it('lists every unmet rule at once, in French', () => {
    expect(checkPasswordPolicy('abc')).toEqual([
      'Le mot de passe doit contenir au moins 8 caractères.',
      'Le mot de passe doit contenir au moins une lettre majuscule.',
      'Le mot de passe doit contenir au moins un chiffre.',
      "Le mot de passe doit contenir au moins un caractère spécial parmi !@#$%^&*()_[]:;<>?~|}.,/- ou l'espace.",
    ])
  })

  it.each([
    ['Abcdef1!', []],
    ['Abcde1!', ['Le mot de passe doit contenir au moins 8 caractères.']],
    ['abcdefg1!', ['Le mot de passe doit contenir au moins une lettre majuscule.']],
    ['ABCDEFG1!', ['Le mot de passe doit contenir au moins une lettre minuscule.']],
    ['Abcdefgh!', ['Le mot de passe doit contenir au moins un chiffre.']],
  ])('checks each rule on its own: %s', (password, expected) => {
    expect(checkPasswordPolicy(password)).toEqual(expected)
  })

  it('counts every character of the guide as special, and nothing else', () => {
    for (const special of SPECIAL_CHARACTERS) expect(checkPasswordPolicy(`Abcdefg1${special}`)).toEqual([])
    expect(checkPasswordPolicy('Abcdefg1+')).toHaveLength(1)
  })

  it('refuses passwords longer than 128 characters', () => {
    expect(checkPasswordPolicy(`Aa1!${'x'.repeat(125)}`)).toEqual([
      'Le mot de passe ne doit pas dépasser 128 caractères.',
    ])
    expect(checkPasswordPolicy(`Aa1!${'x'.repeat(124)}`)).toEqual([])
  })
})

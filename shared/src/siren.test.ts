import { describe, expect, it } from '@jest/globals'
import { checkSiren } from './siren'

describe('checkSiren', () => {
  it('accepts a valid SIREN typed with spaces and returns its 9 digits', () => {
    expect(checkSiren('732 829 320')).toEqual({ ok: true, siren: '732829320' })
    expect(checkSiren(' 552100554 ')).toEqual({ ok: true, siren: '552100554' })
    expect(checkSiren('356\u00a0000\u00a0000')).toEqual({ ok: true, siren: '356000000' })
  })

  it('asks for the SIREN when nothing was typed', () => {
    expect(checkSiren('   ')).toEqual({ ok: false, message: 'Veuillez renseigner le Siren.' })
  })

  it.each(['73282932', '7328293201', '73282932A', '732-829-320'])('refuses %s, which is not 9 digits', (input) => {
    expect(checkSiren(input)).toEqual({ ok: false, message: 'Le Siren doit comporter exactement 9 chiffres.' })
  })

  it('refuses 9 digits whose Luhn checksum is wrong', () => {
    expect(checkSiren('732829321')).toEqual({
      ok: false,
      message: "Ce Siren n'est pas valide : vérifiez les chiffres saisis.",
    })
  })
})

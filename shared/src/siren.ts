export type SirenCheck = { ok: true; siren: string } | { ok: false; message: string }

/**
 * A SIREN is 9 digits whose Luhn checksum is valid. People type it with spaces ("732 829 320"),
 * so every kind of white space is dropped before checking.
 */
export function checkSiren(input: string): SirenCheck {
  const siren = input.replace(/\s/gu, '')
  if (siren === '') return { ok: false, message: 'Veuillez renseigner le Siren.' }
  if (!/^\d{9}$/u.test(siren)) return { ok: false, message: 'Le Siren doit comporter exactement 9 chiffres.' }
  if (!hasValidLuhnChecksum(siren)) {
    return { ok: false, message: "Ce Siren n'est pas valide : vérifiez les chiffres saisis." }
  }
  return { ok: true, siren }
}

function hasValidLuhnChecksum(digits: string): boolean {
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    const digit = Number(digits[digits.length - 1 - index])
    const weighted = index % 2 === 1 ? digit * 2 : digit
    sum += weighted > 9 ? weighted - 9 : weighted
  }
  return sum % 10 === 0
}

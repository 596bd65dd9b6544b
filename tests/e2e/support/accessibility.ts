import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'

/** WCAG 2.0 and 2.1, levels A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
const NARROW = { width: 375, height: 740 } // a small phone, in CSS pixels

async function axeViolations(page: Page, options: { contrast: boolean }): Promise<string[]> {
  const axe = new AxeBuilder({ page }).withTags(WCAG_TAGS)
  const { violations } = await (options.contrast ? axe : axe.disableRules(['color-contrast'])).analyze()
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help}\n${violation.nodes.map((node) => `    ${node.target.join(' ')}`).join('\n')}`,
  )
}

/**
 * The page as it is now has no axe-core violation, at the test's width and at 375 px, and does
 * not scroll sideways at 375 px. Soft assertions: the test goes on, so one run reports every
 * page's problems. Colours do not change with the width (no media query of theme.css sets one),
 * so contrast, axe's costliest rule, is checked at the test's width only: half the suite's axe
 * time, measured, for a check that would find the same thing twice.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await test.step(`accessibility of « ${name} »`, async () => {
    expect.soft(await axeViolations(page, { contrast: true }), `axe-core violations on « ${name} » (${page.url()})`).toEqual([])

    const wide = page.viewportSize()
    await page.setViewportSize(NARROW)
    try {
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }))
      expect.soft(widths.scroll, `horizontal scroll at ${NARROW.width} px on « ${name} » (${page.url()})`).toBeLessThanOrEqual(widths.client)
      expect.soft(await axeViolations(page, { contrast: false }), `axe-core violations at ${NARROW.width} px on « ${name} » (${page.url()})`).toEqual([])
    } finally {
      if (wide) await page.setViewportSize(wide)
    }
  })
}

import { expect, test } from "@playwright/test";
import { allPages, expectNoSeriousAxeViolation, hydrated, smallTapTargets } from "./pages";

// No serious or critical axe-core violation on any page, in any locale:
// one pass per page and locale (axe's rules do not depend on the width),
// the right-to-left locales and Indonesian at phone width, the others at
// desktop width, so that both layouts are checked in both directions. At
// phone width, every tap target is measured too (44 × 44 CSS px).
const phone = { width: 360, height: 740 };
const desktop = { width: 1280, height: 800 };
const atPhoneWidth = new Set(["ar", "ur", "id"]);

for (const path of allPages()) {
  const locale = path.split("/")[1];
  const viewport = atPhoneWidth.has(locale) ? phone : desktop;
  test.describe(`at ${viewport.width}px`, () => {
    test.use({ viewport });

    test(`axe finds nothing serious on ${path}`, async ({ page }) => {
      await page.goto(path);
      await page.locator(hydrated).waitFor();
      await expectNoSeriousAxeViolation(page);
      if (viewport === phone) {
        expect(await smallTapTargets(page)).toEqual([]);
      }
    });
  });
}

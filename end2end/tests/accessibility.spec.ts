import { test } from "@playwright/test";
import { allPages, expectNoSeriousAxeViolation, hydrated } from "./pages";

// No serious or critical axe-core violation on any page, in any locale,
// at phone and desktop widths.
for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
  test.describe(`at ${viewport.width}px`, () => {
    test.use({ viewport });

    for (const path of allPages()) {
      test(`axe finds nothing serious on ${path}`, async ({ page }) => {
        await page.goto(path);
        await page.locator(hydrated).waitFor();
        await expectNoSeriousAxeViolation(page);
      });
    }
  });
}

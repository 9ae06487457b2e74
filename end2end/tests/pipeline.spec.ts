import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousAxeViolation, t } from "./pages";

// The feedback form runs the whole input pipeline: a visitor writes in
// Arabic (with a phone number), lands on their private follow page, and
// sees their feedback analysed: language ar, a theme, the phone number
// masked in what reviewers read. The same without JavaScript, in English.

/** Reloads the follow page until the workers have analysed the feedback. */
async function waitForAnalysis(page: Page) {
  await expect(async () => {
    await page.reload();
    await expect(page.locator(".detected-language")).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000, intervals: [500, 1_000] });
}

test("feedback in Arabic is analysed: language, theme, phone masked", async ({ page }) => {
  await page.goto("/ar/feedback");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await page.locator("#text").fill(
    "إنارة الشوارع في حيّنا معطلة منذ شهر، والأطفال يخافون العودة من المدرسة في المساء. اتصلوا بي على +20 10 1234 5678.",
  );
  await page.locator("#area").selectOption({ index: 1 });
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/ar\/feedback\/[0-9a-f]{64}$/);
  await expect(page.locator(".feedback-text")).toContainText("5678");
  await waitForAnalysis(page);
  await expect(page.locator(".detected-language")).toHaveText("ar");
  await expect(page.locator(".analysis .themes li").first()).toBeVisible();
  await expect(page.locator(".masked-text")).toContainText("[phone]");
  await expect(page.locator(".masked-text")).not.toContainText("5678");
  await expectNoSeriousAxeViolation(page);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("feedback in English is received and analysed (en)", async ({ page }) => {
    await page.goto("/en/feedback");
    await page.locator("#text").fill(
      "The underpass by the station has no working lights and my daughter is scared to walk home. Email me at sam@example.org",
    );
    await page.locator(".stacked-form button[type=submit]").click();
    await expect(page).toHaveURL(/\/en\/feedback\/[0-9a-f]{64}$/);
    await expect(page.locator(".notice")).toBeVisible();
    await waitForAnalysis(page);
    await expect(page.locator(".detected-language")).toHaveText("en");
    await expect(page.locator(".masked-text")).toContainText("[email]");
  });

  test("empty feedback is refused with a message (fr)", async ({ page }) => {
    await page.goto("/fr/feedback");
    // Blank to the server (spaces only), though long enough for the browser.
    await page.locator("#text").fill("      ");
    await page.locator(".stacked-form button[type=submit]").click();
    const alert = page.locator("[role=alert]");
    await expect(alert).toContainText(t("fr", "validation", "field_body"));
    await expect(alert).toContainText(t("fr", "validation", "empty"));
  });
});

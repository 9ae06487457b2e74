import { expect, test } from "@playwright/test";
import { expectNoSeriousAxeViolation, hydrated, password, signUp, t } from "./pages";

// A resident creates an account, signs out, and signs in again, in a
// left-to-right and a right-to-left locale, with and without JavaScript.

/** The labels the journey clicks, as each locale words them. */
type Labels = { signIn: string; signOut: string };
const english: Labels = { signIn: "Sign in", signOut: "Sign out" };
const arabic: Labels = { signIn: "تسجيل الدخول", signOut: "تسجيل الخروج" };

for (const [locale, labels, javaScript] of [
  ["en", english, true],
  ["ar", arabic, false],
] as const) {
  test.describe(`in ${locale}, ${javaScript ? "with" : "without"} JavaScript`, () => {
    test.use({ javaScriptEnabled: javaScript });

    test("a resident signs up, signs out and signs in again", async ({ page }) => {
      const name = `Resident ${locale} ${Date.now() % 100000}`;
      await page.goto(`/${locale}`);
      if (javaScript) await page.locator(hydrated).waitFor();
      await signUp(page, locale, name);

      await page.getByRole("button", { name: labels.signOut }).click();
      await expect(page).toHaveURL(new RegExp(`/${locale}$`));
      await expect(page.locator(".account-name")).toHaveCount(0);

      await page.locator(".account-nav").getByRole("link", { name: labels.signIn }).click();
      await expect(page).toHaveURL(new RegExp(`/${locale}/signin$`));
      await page.locator("#login").fill(name);
      await page.locator("#password").fill("not my password");
      await page.locator(".stacked-form button[type=submit]").click();
      await expect(page.getByRole("alert")).toContainText(t(locale, "errors", "wrong_credentials"));

      await page.locator("#login").fill(name);
      await page.locator("#password").fill(password);
      await page.locator(".stacked-form button[type=submit]").click();
      await expect(page).toHaveURL(new RegExp(`/${locale}$`));
      await expect(page.locator(".account-name")).toHaveText(name);
    });
  });
}

test("the sign-up form explains a refused name in the reader's language", async ({ page }) => {
  await signUp(page, "en", "Taken Name");
  await page.getByRole("button", { name: english.signOut }).click();
  await page.goto("/fr/signup");
  await page.locator("#display_name").fill("taken name");
  await page.locator("#password").fill(password);
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page.getByRole("alert")).toContainText("Nom affiché");
});

test("a resident downloads their data and deletes their account", async ({ page }) => {
  const name = `Leaving ${Date.now() % 100000}`;
  await signUp(page, "ar", name);
  await page.locator(".account-name").click();
  await expect(page).toHaveURL(/\/ar\/me$/);
  await expectNoSeriousAxeViolation(page);
  const download = page.waitForEvent("download");
  await page.locator('a[download]').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("parley-my-data.json");

  await page.locator("#delete_password").fill(password);
  // The account page has several forms: press the deletion's own button.
  await page.locator("form:has(#delete_password) button[type=submit]").click();
  await expect(page).toHaveURL(/\/ar$/);
  await expect(page.locator(".account-name")).toHaveCount(0);
  await page.goto("/ar/signin");
  await page.locator("#login").fill(name);
  await page.locator("#password").fill(password);
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page.getByRole("alert")).toContainText(t("ar", "errors", "wrong_credentials"));
});

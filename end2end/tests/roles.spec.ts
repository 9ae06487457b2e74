import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousAxeViolation, hydrated, password, signUp, t } from "./pages";
import { totp } from "./totp";

// Privileged screens: refused to a resident; opened to an admin only after
// two-step sign-in, which the test sets up and then signs in with, using
// codes it computes from the secret like an authenticator app.

async function signIn(page: Page, locale: string, name: string, secret: string) {
  await page.goto(`/${locale}/signin`);
  await page.locator("#login").fill(name);
  await page.locator("#password").fill(secret);
  await page.locator(".stacked-form button[type=submit]").click();
}

for (const [locale, forbidden] of [
  ["en", "You are not allowed to do this."],
  ["ar", null],
] as const) {
  test(`a privileged page is refused to a resident (${locale})`, async ({ page }) => {
    await signUp(page, locale, `Resident ${locale} ${Date.now() % 100000}`);
    const response = await page.goto(`/${locale}/admin/roles`);
    expect(response?.status()).toBe(403);
    const alert = page.getByRole("alert");
    await expect(alert).toBeVisible();
    if (forbidden) await expect(alert).toHaveText(forbidden);
    await expect(page.locator("#account")).toHaveCount(0);
  });
}

test("an admin sets up two-step sign-in, then signs in with a code (en)", async ({ page }) => {
  await signIn(page, "en", "Demo Admin", "demo-admin-pass");
  await expect(page.locator(".account-name")).toHaveText("Demo Admin");
  const refused = await page.goto("/en/admin/roles");
  expect(refused?.status()).toBe(403);
  await page.getByRole("link", { name: "Set up or confirm two-step sign-in." }).click();
  await expect(page).toHaveURL(/\/en\/me\/two-factor\?next=%2Fen%2Fadmin%2Froles$/);
  await page.locator(hydrated).waitFor();
  await expect(page.locator(".qr-code svg")).toBeVisible();
  await expect(page.locator(".recovery-codes li")).toHaveCount(10);
  await expectNoSeriousAxeViolation(page);
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await page.locator("#code").fill(totp(secret));
  await page.locator(".stacked-form button[type=submit]").click();

  // Back on the page that asked for it.
  await expect(page).toHaveURL(/\/en\/admin\/roles$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Roles");
  await expect(page.locator("table")).toContainText("Demo Moderator");
  await expectNoSeriousAxeViolation(page);

  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "en", "Demo Admin", "demo-admin-pass");
  await expect(page).toHaveURL(/\/en\/signin\/code$/);
  await expect(page.locator(".account-name")).toHaveCount(0);
  // The enrolment used this step's code: an app shows the next one soon.
  await page.locator("#code").fill(totp(secret, 1));
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/en$/);
  await page.goto("/en/admin/audit");
  await expect(page.locator("table")).toContainText("two_factor.enrol");
  await expectNoSeriousAxeViolation(page);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a resident sets up two-step sign-in and signs in with a code (ar)", async ({ page }) => {
    const name = `ثنائي ${Date.now() % 100000}`;
    await signUp(page, "ar", name);
    await page.goto("/ar/me/two-factor");
    await page.locator("#code").fill("000000");
    await page.locator(".stacked-form button[type=submit]").click();
    await expect(page.getByRole("alert")).toContainText(t("ar", "errors", "wrong_code"));
    // The secret survives the refused attempt: the app keeps working.
    const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    await page.locator("#code").fill(totp(secret));
    await page.locator(".stacked-form button[type=submit]").click();
    await expect(page).toHaveURL(/\/ar\/me$/);

    await page.locator(".account-nav button").click();
    await signIn(page, "ar", name, password);
    await expect(page).toHaveURL(/\/ar\/signin\/code$/);
    await page.locator("#code").fill(totp(secret, 1));
    await page.locator(".stacked-form button[type=submit]").click();
    await expect(page).toHaveURL(/\/ar$/);
    await expect(page.locator(".account-name")).toHaveText(name);
  });
});

import { expect, test } from "@playwright/test";
import { hydrated, password, signUp, t } from "./pages";

// The doors of the security review, in a real browser with JavaScript on:
// the Content-Security-Policy lets Parley's own hydration run and nothing
// else, and the referrer policy of one page never makes the next form of
// the same tab look cross-site.

test("hydration works under the CSP, and an injected inline script is blocked", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  const response = await page.goto("/en/forums");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("'nonce-");
  expect(policy).not.toContain("unsafe-inline");
  // Hydrated: Parley's own scripts ran (they carry the page's nonce).
  await page.locator(hydrated).waitFor();
  expect(violations).toEqual([]);

  // What an attacker's markup would try: an inline script added to the page.
  const ran = await page.evaluate(async () => {
    const script = document.createElement("script");
    script.textContent = "window.__injected = true;";
    document.head.appendChild(script);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => violations.length).toBeGreaterThan(0);
});

test("feedback, then sign in and comment from the same tab", async ({ browser, page }) => {
  // An account made elsewhere.
  const name = `Same Tab ${Date.now() % 100000}`;
  const elsewhere = await (await browser.newContext()).newPage();
  await signUp(elsewhere, "en", name);
  await elsewhere.context().close();

  await page.goto("/en/feedback");
  await page.locator(hydrated).waitFor();
  await page.locator("#text").fill("The path behind the library floods every time it rains.");
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/en\/feedback\/[A-Za-z0-9_-]+/);

  // From the receipt page, by the header's link: signing in is not
  // refused as cross-site, and nothing typed is lost.
  await page.locator(".account-nav").getByRole("link", { name: t("en", "auth", "sign_in_link") }).click();
  await expect(page).toHaveURL(/\/en\/signin$/);
  await page.locator("#login").fill(name);
  await page.locator("#password").fill(password);
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/en$/);
  await expect(page.locator(".account-name")).toHaveText(name);

  // And a section comment from the same tab.
  await page.goto("/en/drafts/1");
  await page.locator(hydrated).waitFor();
  const section = page.locator(".draft-section").nth(1);
  await section.locator("summary").click();
  await section.locator("textarea").fill("Thank you for lighting the underpass at last.");
  await section.locator("form button[type=submit]").click();
  await expect(page.locator(".comment-form .notice")).toBeVisible();
  await expect(page.getByText(t("en", "errors", "refused_title"))).toHaveCount(0);
});

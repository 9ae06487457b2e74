import { expect, test, type Locator, type Page } from "@playwright/test";
import { actionCounter, hydrated, shot, t } from "./pages";

test.describe("a visitor", () => {
  test("is sent from / to their browser's language", async ({ browser }) => {
    const context = await browser.newContext({ locale: "ar-EG" });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page).toHaveURL(/\/ar$/);
    await context.close();
  });

  test("reads the home page in English, left to right", async ({ page }) => {
    await page.goto("/en");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.locator("html")).toHaveAttribute("dir", "ltr");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Have your say in how our town is run");
    await expect(page.getByRole("heading", { name: "Neighbourhoods" })).toBeVisible();
    await expect(page.getByText("Old Town")).toBeVisible();
  });

  test("reads the home page in Arabic, right to left", async ({ page }) => {
    await page.goto("/ar");
    await expect(page.locator("html")).toHaveAttribute("lang", "ar");
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("شارك برأيك في طريقة إدارة مدينتنا");
    // Right to left for real: the site name sits at the right edge.
    const name = await page.locator(".site-name").boundingBox();
    const width = page.viewportSize()?.width ?? 0;
    expect(name).not.toBeNull();
    expect((name?.x ?? 0) + (name?.width ?? 0)).toBeGreaterThan(width / 2);
  });

  test("switches language and is remembered", async ({ page }) => {
    await page.goto("/en/forums");
    await page.locator(hydrated).waitFor();
    const languages = page.getByRole("navigation", { name: "Choose a language" });
    await languages.locator("summary").click();
    await languages.getByRole("link", { name: "Français" }).click();
    await expect(page).toHaveURL(/\/fr\/forums$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Forums");
    await page.goto("/");
    await expect(page).toHaveURL(/\/fr$/);
  });

  test("gets a 404 page in their language", async ({ page }) => {
    const response = await page.goto("/es/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Página no encontrada");
    await page.getByRole("link", { name: "Ir a la página de inicio" }).click();
    await expect(page).toHaveURL(/\/es$/);
  });
});

test.describe("once hydrated", () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test("the menu button opens and closes the navigation on a small screen", async ({ page }) => {
    await page.goto("/en");
    await page.locator(hydrated).waitFor();
    const toggle = page.getByRole("button", { name: "Menu" });
    const nav = page.getByRole("navigation", { name: "Main navigation" });
    await expect(toggle).toBeVisible();
    await expect(nav).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    await expect(nav).toBeVisible();
    await nav.getByRole("link", { name: "Surveys" }).click();
    await expect(page).toHaveURL(/\/en\/surveys$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Surveys");
  });

  test("the keyboard reaches the skip link first and it moves focus to the content", async ({ page }) => {
    await page.goto("/ur");
    await page.locator(hydrated).waitFor();
    await page.keyboard.press("Tab");
    const skip = page.locator(".skip-link");
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/#main$/);
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

  test("everything is reachable by plain links", async ({ page }) => {
    await page.goto("/ur");
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("button", { name: "مینو" })).toBeHidden();
    const nav = page.locator("#site-nav");
    await expect(nav).toBeVisible();
    await nav.locator("a").nth(3).click();
    await expect(page).toHaveURL(/\/ur\/drafts$/);
    await page.locator(".language-switcher summary").click();
    await page.locator(".language-switcher").getByRole("link", { name: "Bahasa Indonesia" }).click();
    await expect(page).toHaveURL(/\/id\/drafts$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "id");
  });
});

// A resident's journeys, counted: each click that follows a link or sends
// a form is one action (typing is not); a journey fails if it grows. In
// English at desktop width and in Arabic at phone width.
for (const [locale, viewport] of [
  ["en", { width: 1280, height: 800 }],
  ["ar", { width: 360, height: 740 }],
] as const) {
  test.describe(`a resident (${locale})`, () => {
    test.use({ viewport });

    test("finds what is open from the home page and comments in three actions", async ({ page }) => {
      const { counted, act } = actionCounter();
      await page.goto(`/${locale}`);
      await page.locator(hydrated).waitFor();
      // What is open is on the first screen, on a phone too.
      await expect(page.locator(".consultation").first()).toBeInViewport();
      await shot(page, `resident-1-home-${locale}`);
      await act(page.getByRole("link", { name: t(locale, "home", "draft_take_part") }).first());
      const section = page.locator(".draft-section").nth(1);
      await act(section.locator("summary"));
      await section.locator("textarea").fill("The underpass needs light at night, please.");
      await shot(page, `resident-2-comment-${locale}`);
      await act(section.locator("form button[type=submit]"));
      await expect(page.locator(".comment-form .notice")).toBeVisible();
      await shot(page, `resident-3-receipt-${locale}`);
      expect(counted.actions).toBeLessThanOrEqual(3);
    });

    test("finds their contributions from any page in one action", async ({ page }) => {
      for (const path of ["", "/forums/riverside", "/drafts/1", "/feedback", "/no-such-page"]) {
        const { counted, act } = actionCounter();
        await page.goto(`/${locale}${path}`);
        await act(contributionsLink(page, locale));
        await expect(page).toHaveURL(new RegExp(`/${locale}/me/contributions$`));
        expect(counted.actions).toBe(1);
      }
      await shot(page, `resident-4-contributions-${locale}`);
    });
  });
}

/** The link to "My contributions" every page has (in its footer). */
function contributionsLink(page: Page, locale: string): Locator {
  return page.locator("footer").getByRole("link", { name: t(locale, "contributions", "title") });
}

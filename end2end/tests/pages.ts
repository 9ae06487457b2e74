import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A translation, as `locales/{locale}/{namespace}.json` holds it. */
export function t(locale: string, namespace: string, key: string): string {
  const file = join(__dirname, "..", "..", "locales", locale, `${namespace}.json`);
  const text = JSON.parse(readFileSync(file, "utf8"))[key];
  if (typeof text !== "string") throw new Error(`no ${locale}/${namespace}.${key}`);
  return text;
}

// The pages every check walks: each section, in every locale.

export const locales = ["en", "fr", "es", "ar", "ur", "id"] as const;
export const rtlLocales = new Set(["ar", "ur"]);

export const sections = [
  "",
  "/forums",
  "/forums/riverside",
  "/forums/riverside/safety",
  "/t/1",
  "/posts/2/report",
  "/announcements",
  "/moderation",
  "/surveys",
  "/focus-groups",
  "/drafts",
  "/drafts/new",
  "/drafts/1",
  "/drafts/1/edit",
  "/drafts/1/diff?from=1&to=2",
  "/drafts/1/responses",
  "/review",
  "/review/1",
  "/review/dashboard",
  "/me/contributions",
  "/feedback",
  "/feedback/not-a-real-token",
  "/signup",
  "/signin",
  "/signin/code",
  "/forgot",
  "/reset/not-a-real-token",
  "/me",
  "/me/two-factor",
  "/me/private-link",
  "/restore/not-a-real-token",
  "/admin/audit",
  "/admin/themes",
  "/admin/jobs",
];

/** Every page of the site, plus a 404, in every locale (as a visitor sees
 * them: the privileged ones answer 401 with their refusal). */
export function allPages(): string[] {
  const pages: string[] = [];
  for (const locale of locales) {
    for (const section of sections) {
      pages.push(`/${locale}${section}`);
    }
    pages.push(`/${locale}/no-such-page`);
  }
  return pages;
}

/** A CSS selector that matches only once the page has hydrated. */
export const hydrated = 'header[data-enhanced="true"]';

/** The password the journeys give every account they create. */
export const password = "a long and memorable phrase";

/** Creates an account named `name` through the sign-up form, which signs it in. */
export async function signUp(page: Page, locale: string, name: string) {
  await page.goto(`/${locale}/signup`);
  await page.locator("#display_name").fill(name);
  await page.locator("#password").fill(password);
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(new RegExp(`/${locale}$`));
  await expect(page.locator(".account-name")).toHaveText(name);
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectNoSeriousAxeViolation(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(serious).toEqual([]);
}

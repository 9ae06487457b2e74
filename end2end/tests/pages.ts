import AxeBuilder from "@axe-core/playwright";
import { expect, type Locator, type Page } from "@playwright/test";
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
  "/surveys/1",
  "/surveys/1/page/1",
  "/surveys/1/sent",
  "/surveys/1/results",
  "/surveys/1/answers/4",
  "/surveys/new",
  "/surveys/1/edit",
  "/focus-groups",
  "/focus-groups/1",
  "/focus-groups/2",
  "/focus-groups/new",
  "/focus-groups/2/people",
  "/focus-groups/2/texts/fr",
  "/focus-groups/mine/not-a-real-token",
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

/** Every visible control and link of the page as it is now is at least
 * 44 × 44 CSS px, links inside a sentence excepted (a link with words of
 * the sentence beside it). A check box or radio button counts with its
 * label, which takes the tap too. Returns what is smaller, described. */
export async function smallTapTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const letters = /\p{L}/u;
    const inSentence = (el: Element) =>
      el.tagName === "A" &&
      Array.from(el.parentElement?.childNodes ?? []).some(
        (node) => node !== el && node.nodeType === Node.TEXT_NODE && letters.test(node.textContent ?? ""),
      );
    const small: string[] = [];
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    for (const el of Array.from(document.querySelectorAll(selector))) {
      if (el.closest(".skip-link, .visually-hidden") || inSentence(el)) continue;
      let box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio") && el.labels?.[0]) {
        const label = el.labels[0].getBoundingClientRect();
        const left = Math.min(box.left, label.left);
        const top = Math.min(box.top, label.top);
        box = new DOMRect(left, top, Math.max(box.right, label.right) - left, Math.max(box.bottom, label.bottom) - top);
      }
      if (box.width < 44 - 0.5 || box.height < 44 - 0.5) {
        const name = (el.getAttribute("aria-label") ?? el.textContent ?? el.getAttribute("name") ?? "").trim().slice(0, 30);
        small.push(`${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ")[0] : ""} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  });
}

/** With `PARLEY_SHOTS=<dir>`, a screenshot of the screen as it is now, as
 * `<dir>/<name>.png`, to look at a journey (nothing otherwise). */
export async function shot(page: Page, name: string) {
  const dir = process.env.PARLEY_SHOTS;
  if (!dir) return;
  await page.waitForLoadState();
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** Counts what a person does in a journey: each click that follows a link
 * or sends a form is one action (typing is not). */
export function actionCounter() {
  const counted = { actions: 0 };
  const act = async (target: Locator) => {
    counted.actions += 1;
    await target.click();
  };
  return { counted, act };
}

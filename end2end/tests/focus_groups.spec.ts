import { expect, test, type Browser, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { actionCounter, shot, t } from "./pages";

// Focus groups as residents meet them, without JavaScript, in Urdu on a
// phone: the demo's online hour on youth spaces has one place left. A
// first visitor takes it without an account and downloads the calendar
// file; a second lands on the waiting list; the first cancels by their
// private link, and the second accepts the place offered.

test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

const SESSION = "/ur/focus-groups/3";

async function signUp(browser: Browser, name: string, contact: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const { counted, act } = actionCounter();
  await page.goto("/ur/focus-groups");
  await act(page.locator(`a.button[href="${SESSION}"]`));
  await expect(page).toHaveURL(new RegExp(`${SESSION}$`));
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  // The online link is not on the public page.
  await expect(page.locator("body")).not.toContainText("meet.example.org");
  await page.locator("#name").fill(name);
  await page.locator("#contact").fill(contact);
  await page.locator("#language-ur").check();
  await page.locator("#age").selectOption("under_30");
  await page.locator("#consent").check();
  await shot(page, `focus-group-form-${name}-ur-360`);
  await act(page.locator("form.stacked-form button[type=submit]"));
  await expect(page).toHaveURL(/\/ur\/focus-groups\/mine\/[0-9a-f]{64}\?new=1$/);
  await expect(page.locator(".notice[role=status]")).toContainText(t("ur", "focus_groups", "signed_up"));
  expect(counted.actions).toBeLessThanOrEqual(2);
  return page;
}

test("a visitor takes the last place and gets the calendar; a second waits, the first cancels, the second accepts", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const first = await signUp(browser, "زینب", "zainab@example.org");
  await expect(first.locator(".standing")).toContainText(t("ur", "focus_groups", "standing_confirmed"));
  // The confirmed see where: the online link, and a check-in code.
  await expect(first.locator("dd a[href^='https://meet.example.org/']")).toBeVisible();
  await expect(first.locator(".check-in-code")).toHaveText(/^[0-9A-F]{8}$/);
  await shot(first, "focus-group-mine-confirmed-ur-360");
  const [download] = await Promise.all([
    first.waitForEvent("download"),
    first.locator("a[download][href*='focus_group_calendar']").click(),
  ]);
  const file = readFileSync((await download.path()) ?? "", "utf8");
  expect(file).toContain("BEGIN:VCALENDAR");
  expect(file).toContain("BEGIN:VTIMEZONE");
  expect(file).toMatch(/DTSTART;TZID=[^:]+:\d{8}T\d{6}/);
  expect(file).toContain("LOCATION:https://meet.example.org/parley-youth-spaces");

  const second = await signUp(browser, "Bilal", "+44 7700 900456");
  await expect(second.locator(".standing")).toContainText(t("ur", "focus_groups", "standing_waitlisted"));
  await expect(second.locator("body")).not.toContainText("meet.example.org");
  const secondPage = second.url().replace("?new=1", "");

  // The first cancels from their private page.
  await first.locator(`form.inline-form button:has-text("${t("ur", "focus_groups", "cancel")}")`).click();
  await expect(first.locator(".standing")).toContainText(t("ur", "focus_groups", "standing_cancelled"));

  // The second is offered the place, with a deadline, and accepts it.
  await second.goto(secondPage);
  await expect(second.locator(".standing")).toContainText(t("ur", "focus_groups", "standing_offered"));
  await expect(second.locator("#offer-title")).toHaveText(t("ur", "focus_groups", "offer_title"));
  await shot(second, "focus-group-offer-ur-360");
  await second.locator(`button:has-text("${t("ur", "focus_groups", "accept")}")`).click();
  await expect(second.locator(".standing")).toContainText(t("ur", "focus_groups", "standing_confirmed"));
  await expect(second.locator("dd a[href^='https://meet.example.org/']")).toBeVisible();
  // Every move is on the page.
  await expect(second.locator("ol.history li")).toHaveCount(3);
  // The second adds a need through the change form, which is folded away.
  await second.locator("details.change-details summary").click();
  await second.locator("details.change-details #needs").fill("A quiet corner, please.");
  await second.locator("details.change-details button[type=submit]").click();
  await expect(second.locator(".notice[role=status]")).toContainText(t("ur", "focus_groups", "changed"));
  await expect(second.locator("dl.facts")).toContainText("A quiet corner, please.");

  // The first erases what they gave: their link no longer opens anything.
  const firstPage = first.url();
  await first.locator("#erase").check();
  await first.locator("button.danger").click();
  await expect(first).toHaveURL(/\/ur\/focus-groups\?erased=1$/);
  await expect(first.locator(".notice[role=status]")).toHaveText(t("ur", "focus_groups", "erased"));
  const gone = await first.goto(firstPage);
  expect(gone?.status()).toBe(410);
});

import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectNoSeriousAxeViolation, actionCounter, hydrated, shot, signUp, t } from "./pages";
import { totp } from "./totp";

// Closing the loop, in English and Arabic: a policymaker writes and
// publishes a draft and opens the consultation; a resident comments on a
// section in Arabic; the policymaker finds the comment in the draft's
// review queue and responds; the resident sees the response on their
// contributions page. Then the public pages: the responses ("you said, we
// did"), the diff of the demo draft, the dashboard and the open data.

/** Recovery codes of the demo policymaker, kept from their enrolment for
 * later sign-ins (each works once). */
let recoveryCodes: string[] = [];

async function policymaker(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/en/signin");
  await page.locator("#login").fill("Demo Policymaker");
  await page.locator("#password").fill("demo-policymaker-pass");
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page.locator(".account-name")).toHaveText("Demo Policymaker");
  // Review screens need two-step sign-in: set it up.
  await page.goto("/en/me/two-factor");
  await page.locator(hydrated).waitFor();
  recoveryCodes = await page.locator(".recovery-codes li").allTextContents();
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await page.locator("#code").fill(totp(secret));
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/en\/me$/);
  return page;
}

const BODY = `Why we ask: the market square feels unsafe in the evening.

## Lighting
New lights around the market square and the bus stop.

## Opening hours
The market may stay open until 9 pm on Fridays.
`;

const ARABIC_COMMENT =
  "الإنارة حول موقف الحافلات ضرورية، فالنساء يخشين الانتظار هناك بعد حلول الظلام في الشتاء.";

test("a draft is published, commented on in Arabic, answered, and the resident sees the answer", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const writer = await policymaker(browser);

  // Write, preview, publish, open.
  await writer.goto("/en/drafts/new");
  await writer.locator("#title").fill("A safer market square");
  await writer.locator("#summary").fill("Lights and opening hours for the market square.");
  await writer.locator("#body").fill(BODY);
  await writer.getByLabel("Public safety").check();
  await writer.locator(".stacked-form button[type=submit]").click();
  await expect(writer).toHaveURL(/\/en\/drafts\/\d+\/edit$/);
  const draft = writer.url().match(/drafts\/(\d+)\/edit/)?.[1] ?? "";
  await expect(writer.locator(".preview .draft-section")).toHaveCount(3);
  await expect(writer.locator(".preview")).toContainText("New lights around the market square");
  await writer.getByRole("button", { name: "Publish version 1" }).click();
  await expect(writer).toHaveURL(new RegExp(`/en/drafts/${draft}$`));
  await writer.goto(`/en/drafts/${draft}/edit`);
  await writer.getByRole("button", { name: "Move to: Open for consultation" }).click();
  await expect(writer.locator(".draft-status .badge")).toHaveText("Open for consultation");
  await expectNoSeriousAxeViolation(writer);

  // A resident comments on "Lighting" in Arabic.
  const context = await browser.newContext();
  const resident = await context.newPage();
  await signUp(resident, "ar", `ساكن ${Date.now() % 100000}`);
  await resident.goto(`/ar/drafts/${draft}`);
  await expect(resident.locator("html")).toHaveAttribute("dir", "rtl");
  const lighting = resident.locator(".draft-section").nth(1);
  await expect(lighting.locator("h2")).toContainText("Lighting");
  await lighting.locator("summary").click();
  await lighting.locator("textarea").fill(ARABIC_COMMENT);
  await lighting.locator("form button[type=submit]").click();
  await expect(resident.locator(".comment-form .notice")).toBeVisible();
  await expectNoSeriousAxeViolation(resident);

  // The policymaker finds it in the queue once analysed, and answers.
  const queue = `/en/review/${draft}?language=ar&channel=draft_comment`;
  const mineInQueue = () => writer.locator(".queue-row", { hasText: "موقف الحافلات" });
  await expect(async () => {
    await writer.goto(queue);
    await expect(mineInQueue()).toHaveCount(1, { timeout: 500 });
  }).toPass({ timeout: 30_000, intervals: [500, 1_000] });
  const row = mineInQueue();
  await expect(row.locator(".masked-text")).toContainText("الإنارة");
  await expect(row.locator(".section-ref")).toContainText("§ 2");
  await expectNoSeriousAxeViolation(writer);
  await row.getByRole("button", { name: "Start review" }).click();
  await expect(writer.locator(".notice.success")).toBeVisible();
  await mineInQueue().locator("input[type=checkbox]").first().check();
  await writer.locator("#b-action").selectOption("addressed");
  await writer
    .locator("#b-response")
    .fill("Version 2 will add two lights at the bus stop, as you asked.");
  await writer.getByRole("button", { name: "Apply" }).click();
  await expect(writer.locator(".notice.success")).toContainText("1");

  // The resident sees the status and the answer.
  await resident.goto("/ar/me/contributions");
  const mine = resident.locator(".contribution").first();
  await expect(mine).toContainText(ARABIC_COMMENT);
  await expect(mine.locator(".response-text")).toHaveText(
    "Version 2 will add two lights at the bus stop, as you asked.",
  );
  await expectNoSeriousAxeViolation(resident);

  // And so does everyone, on the draft's responses page.
  await resident.goto(`/ar/drafts/${draft}/responses`);
  await expect(resident.locator(".response-text")).toContainText("two lights at the bus stop");
  await context.close();
  await writer.context().close();
});

// From signing in to an answered item: each click that follows a link or
// sends a form is one action (typing is not); the journey fails if it
// needs more than six. In English and in Arabic.
for (const locale of ["en", "ar"]) {
  test(`a policymaker answers an item within six actions of signing in (${locale})`, async ({ browser }) => {
    const code = recoveryCodes.shift();
    expect(code, "the first test enrols the policymaker").toBeTruthy();
    // Arabic on a phone, English on a desktop.
    const viewport = locale === "ar" ? { width: 360, height: 740 } : { width: 1280, height: 800 };
    const page = await (await browser.newContext({ viewport })).newPage();
    const { counted, act } = actionCounter();
    await page.goto(`/${locale}/signin`);
    await page.locator("#login").fill("Demo Policymaker");
    await page.locator("#password").fill("demo-policymaker-pass");
    await act(page.locator(".stacked-form button[type=submit]"));
    await page.locator("#code").fill(code ?? "");
    await act(page.locator(".stacked-form button[type=submit]"));
    await expect(page).toHaveURL(new RegExp(`/${locale}$`));
    await page.locator(hydrated).waitFor();
    await act(page.getByRole("link", { name: t(locale, "review", "queues_title") }).first());
    await shot(page, `policymaker-1-queues-${locale}`);
    await act(page.locator("a[href$='/review/1']").first());
    await shot(page, `policymaker-2-queue-${locale}`);
    // The queue's keyboard shortcuts (an island, alive once hydrated): `j`
    // and `k` move between the rows, `x` checks and unchecks one.
    await page.locator(hydrated).waitFor();
    const rows = page.locator(".queue-row");
    const checkbox = rows.first().locator("input[type=checkbox]").first();
    await page.keyboard.press("j");
    await expect(rows.first()).toBeFocused();
    await page.keyboard.press("x");
    await expect(checkbox).toBeChecked();
    await page.keyboard.press("x");
    await expect(checkbox).not.toBeChecked();
    await page.keyboard.press("j");
    await expect(rows.nth(1)).toBeFocused();
    await page.keyboard.press("k");
    await expect(rows.first()).toBeFocused();
    // Newest first by the date written.
    const dates = await page.locator(".queue-row .row-head time").allTextContents();
    expect(dates.length).toBeGreaterThan(1);
    expect([...dates].sort().reverse()).toEqual(dates);
    const row = page.locator(".queue-row").first();
    await act(row.locator("a.open-item"));
    await page.locator(hydrated).waitFor();
    // What was written comes first, then what to do with it.
    await expect(page.locator(".masked-text")).toBeInViewport();
    await page.locator("#i-response").fill(`Answered by the policymaker (${locale}).`);
    await shot(page, `policymaker-3-item-${locale}`);
    await act(page.locator("button[name=action][value=addressed]"));
    await expect(page.locator(".notice.success")).toBeVisible();
    await shot(page, `policymaker-4-answered-${locale}`);
    expect(counted.actions).toBeLessThanOrEqual(6);
    await page.context().close();
  });
}

// The policymaker also organises the demo's focus group on policing and
// trust: its applications have closed, so they run the selection against
// its recruitment targets (the balance shown before and after, the seed
// kept), check the first chosen person in and correct a translation.
test("a policymaker runs a focus group's selection and checks a person in", async ({ browser }) => {
  const code = recoveryCodes.shift();
  expect(code, "the first test enrols the policymaker").toBeTruthy();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto("/en/signin");
  await page.locator("#login").fill("Demo Policymaker");
  await page.locator("#password").fill("demo-policymaker-pass");
  await page.locator(".stacked-form button[type=submit]").click();
  await page.locator("#code").fill(code ?? "");
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/en$/);
  await page.goto("/en/focus-groups");
  await page.locator(`a[href="/en/focus-groups/2/people"]`).click();
  await expect(page).toHaveURL(/\/en\/focus-groups\/2\/people$/);
  await expect(page.locator("table.balance")).toHaveCount(2);
  // Areas by their names, not their short names.
  await expect(page.locator("table.balance").first().locator("tbody th", { hasText: /^Riverside$/ })).toHaveCount(1);
  await expect(page.locator("table.people tbody tr")).toHaveCount(24);
  await expectNoSeriousAxeViolation(page);
  await page.getByRole("button", { name: t("en", "focus_groups", "run_selection") }).click();
  await expect(page.locator("#balance code")).toHaveText(/^\d+$/);
  await expect(page.locator(".figures")).toContainText("Confirmed: 10 of 10");
  // Every target is met by the chosen.
  const met = await page.locator("table.balance").nth(1).locator("tbody td:last-child").allTextContents();
  expect(met).toEqual(met.map(() => "yes"));
  await shot(page, "focus-group-selection-en-1280");
  const row = page.locator("table.people tbody tr", { hasText: t("en", "focus_groups", "standing_confirmed") }).first();
  await row.getByRole("button", { name: t("en", "focus_groups", "check_in") }).click();
  await expect(page.locator(".figures")).toContainText("Present: 1");
  // From the list, the session's texts: its French topic is corrected.
  await page.getByRole("link", { name: t("en", "focus_groups", "texts_title") }).click();
  await expect(page).toHaveURL(/\/en\/focus-groups\/2\/texts\/en$/);
  await page.locator(`a[href="/en/focus-groups/2/texts/fr"]`).click();
  await expect(page.locator("p.original").first()).toHaveText("Young people and the police: building trust");
  await expectNoSeriousAxeViolation(page);
  const topic = "Les jeunes et la police : construire la confiance";
  await page.locator(`input[name="texts[topic]"]`).fill(topic);
  await page.getByRole("button", { name: t("en", "focus_groups", "texts_save") }).click();
  await expect(page).toHaveURL(/\/en\/focus-groups\/2\/texts\/fr\?saved=1$/);
  await expect(page.locator(".notice[role=status]")).toHaveText(t("en", "focus_groups", "texts_saved"));
  await page.goto("/fr/focus-groups/2");
  await expect(page.locator("h1")).toHaveText(topic);
  await page.context().close();
});

test("the demo draft: Arabic translation, diff between versions, responses", async ({ page }) => {
  await page.goto("/ar/drafts");
  await expect(page.locator(".draft-list")).toContainText("شوارع أكثر أمانًا بعد حلول الظلام");
  await page.goto("/ar/drafts/1");
  await expect(page.locator("h1")).toHaveText("شوارع أكثر أمانًا بعد حلول الظلام");
  await expect(page.locator(".notice").first()).toBeVisible();
  await page.goto("/en/drafts/1/diff?from=1&to=2");
  await expect(page.locator("ins").first()).toBeVisible();
  await expect(page.locator("del").first()).toBeVisible();
  await expectNoSeriousAxeViolation(page);
  await page.goto("/en/drafts/1/responses");
  await expect(page.locator(".response").first()).toBeVisible();
  const feed = await page.request.get("/feed/drafts/1.atom");
  expect(feed.status()).toBe(200);
  expect(await feed.text()).toContain("<feed");
});

test("open data is counts only", async ({ request }) => {
  const json = await request.get("/api/v1/stats");
  expect(json.status()).toBe(200);
  const body = await json.json();
  expect(body.smallest_group).toBe(5);
  // The demo town has groups of five and more: an empty table would pass
  // the next line without testing anything.
  expect(body.rows.length).toBeGreaterThan(0);
  for (const row of body.rows) expect(row.count).toBeGreaterThanOrEqual(5);
  const csv = await request.get("/api/v1/stats?format=csv");
  expect(await csv.text()).toMatch(/^month,dimension,value,count\n/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a visitor comments on the demo draft and follows it (fr)", async ({ page }) => {
    await page.goto("/fr/drafts/1");
    const section = page.locator(".draft-section").nth(1);
    await section.locator("summary").click();
    await section.locator("textarea").fill("Merci pour l'éclairage du passage souterrain, enfin !");
    await section.locator("form button[type=submit]").click();
    await expect(page.locator(".comment-form .notice")).toBeVisible();
    await page.goto("/fr/me/contributions");
    await expect(page.locator(".contribution").first()).toContainText("passage souterrain");
  });
});

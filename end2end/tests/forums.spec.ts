import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectNoSeriousAxeViolation, actionCounter, hydrated, password, shot, signUp, t } from "./pages";
import { totp } from "./totp";

// Forums and their moderation, as residents and a local leader live them:
// a held first post approved, reports from new accounts that reach the
// moderator without hiding the post (in English and Arabic), hostile markup that
// never runs, replies that appear without a reload, and announcements.
//
// The demo moderator (Riverside) sets up two-step sign-in once; later
// sign-ins use one of the recovery codes each (a TOTP code works once per
// 30-second step).

test.describe.configure({ mode: "serial" });

let recoveryCodes: string[] = [];

async function signInModerator(page: Page, locale: string) {
  const code = recoveryCodes.shift();
  if (!code) throw new Error("no recovery code left");
  await page.goto(`/${locale}/signin`);
  await page.locator("#login").fill("Demo Moderator");
  await page.locator("#password").fill("demo-moderator-pass");
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(new RegExp(`/${locale}/signin/code$`));
  await page.locator("#code").fill(code);
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(new RegExp(`/${locale}$`));
}

/** A fresh resident in a fresh browser context. */
async function resident(browser: Browser, locale: string, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signUp(page, locale, name);
  return page;
}

const unique = () => `${Date.now() % 1_000_000}`;

/** A new resident's first thread in Riverside, held for approval. */
async function heldThread(browser: Browser, locale: string) {
  const author = await resident(browser, locale, `Newcomer ${locale} ${unique()}`);
  const title = `Lights on Mill Lane ${locale} ${unique()}`;
  await author.goto(`/${locale}/forums/riverside/general`);
  await author.locator("#title").fill(title);
  await author.locator("#body").fill("The **lights** have been out since Monday.");
  await author.locator("form:has(#title) button[type=submit]").first().click();
  await expect(author).toHaveURL(/held=/);
  await expect(author.getByRole("status")).toBeVisible();
  return { author, title, thread: new URL(author.url()).pathname };
}

/** The `nth` visible reply of a demo Riverside thread (3 in English, 6 in
 * Arabic), reported by three new accounts: it reaches the moderator. */
async function reportedByNewcomers(browser: Browser, page: Page, locale: string, nth: number) {
  const thread = `/${locale}/t/${locale === "en" ? 3 : 6}`;
  await page.goto(thread);
  const target = page.locator('article.post[data-status="visible"]').nth(nth);
  const id = (await target.getAttribute("id")) ?? "";
  const text = (await target.locator(".post-body").textContent()) ?? "";
  expect(id).toMatch(/^post-\d+$/);
  for (let i = 0; i < 3; i++) {
    const reporter = await resident(browser, locale, `Reporter ${locale} ${i} ${unique()}`);
    await reporter.goto(thread);
    await reporter.locator(`#${id} a[href$="/posts/${id.slice(5)}/report"]`).click();
    await reporter.locator("#reason-abuse").check();
    await reporter.locator(".stacked-form button[type=submit]").click();
    await expect(reporter).toHaveURL(/reported=/);
    await reporter.context().close();
  }
  return { thread, id, text };
}

test("the Riverside moderator sets up two-step sign-in (en)", async ({ page }) => {
  await page.goto("/en/signin");
  await page.locator("#login").fill("Demo Moderator");
  await page.locator("#password").fill("demo-moderator-pass");
  await page.locator(".stacked-form button[type=submit]").click();
  const refused = await page.goto("/en/moderation");
  expect(refused?.status()).toBe(403);
  // The refusal leads to the setup, and the setup back to the queue.
  await page.locator(hydrated).waitFor();
  await page.locator(".error a").click();
  await expect(page).toHaveURL(/\/en\/me\/two-factor\?next=%2Fen%2Fmoderation$/);
  recoveryCodes = await page.locator(".recovery-codes li").allTextContents();
  expect(recoveryCodes).toHaveLength(10);
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await page.locator("#code").fill(totp(secret));
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/en\/moderation$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Moderation queue");
  // The demo town's reported and held posts wait there.
  await expect(page.locator(".queue-item")).toHaveCount(2);
  await expectNoSeriousAxeViolation(page);
});

for (const locale of ["en", "ar"]) {
  test(`a new resident's first post waits, and the moderator approves it (${locale})`, async ({ browser, page }) => {
    const { author, title, thread } = await heldThread(browser, locale);
    await expect(author.locator("article.post strong").filter({ hasText: "lights" })).toBeVisible();

    const hidden = await page.goto(thread);
    expect(hidden?.status()).toBe(404);

    const moderator = await (await browser.newContext()).newPage();
    await signInModerator(moderator, locale);
    await moderator.goto(`/${locale}/moderation`);
    const item = moderator.locator(".queue-item").filter({ hasText: title });
    await expect(item).toContainText("The lights have been out since Monday.");
    const approve = () => item.locator("form").first().locator("button[type=submit]").click();
    await approve();
    // It says what it did, and can take it back.
    await expect(moderator).toHaveURL(new RegExp(`/${locale}/moderation\\?done=approved&post=\\d+(&at=\\d+)?#moderation-done$`));
    await expect(moderator.locator("#moderation-done")).toContainText(t(locale, "moderation", "done_approved"));
    await expect(moderator.locator(".queue-item").filter({ hasText: title })).toHaveCount(0);
    await moderator.locator("#moderation-done button").click();
    await expect(moderator.locator("#moderation-done")).toContainText(t(locale, "moderation", "done_undone"));
    await expect(item).toHaveCount(1);
    await approve();
    await expect(moderator.locator(".queue-item").filter({ hasText: title })).toHaveCount(0);

    const shown = await page.goto(thread);
    expect(shown?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
    await expect(page.locator("html")).toHaveAttribute("dir", locale === "ar" ? "rtl" : "ltr");
    await expectNoSeriousAxeViolation(page);
  });

  test(`new accounts' reports reach the moderator without silencing anyone (${locale})`, async ({ browser, page }) => {
    const { thread, id, text } = await reportedByNewcomers(browser, page, locale, 1);

    // Three fresh accounts do not hide a post (three with standing would):
    // it stays readable, and the moderator sees their reports.
    await page.goto(thread);
    await expect(page.locator(`#${id}`)).toHaveAttribute("data-status", "visible");
    await expect(page.locator(`#${id} .post-body`)).toHaveText(text);

    const moderator = await (await browser.newContext()).newPage();
    await signInModerator(moderator, locale);
    await moderator.goto(`/${locale}/moderation`);
    const item = moderator.locator(`#queue-${id}`);
    await expect(item.locator(".reports li")).toHaveCount(3);
    await item.locator("form").first().locator("button[type=submit]").click();
    await expect(moderator.locator(`#queue-${id}`)).toHaveCount(0);

    await page.goto(thread);
    await expect(page.locator(`#${id}`)).toHaveAttribute("data-status", "visible");
    await expect(page.locator(`#${id} .post-body`)).toHaveText(text);
  });
}

// A moderator's round, from signing in: approve a held post, undo it,
// approve it again, and hide a reported one. Each click that follows a
// link or sends a form is one action (typing is not); at most seven.
for (const locale of ["en", "ar"]) {
  test(`a moderator handles a held and a reported post and undoes one action (${locale})`, async ({ browser, page }) => {
    test.setTimeout(90_000);
    const { title } = await heldThread(browser, locale);
    const { id } = await reportedByNewcomers(browser, page, locale, 1);
    const code = recoveryCodes.shift() ?? "";
    // Arabic on a phone, English on a desktop.
    const viewport = locale === "ar" ? { width: 360, height: 740 } : { width: 1280, height: 800 };
    const moderator = await (await browser.newContext({ viewport })).newPage();
    const { counted, act } = actionCounter();
    await moderator.goto(`/${locale}/signin`);
    await moderator.locator("#login").fill("Demo Moderator");
    await moderator.locator("#password").fill("demo-moderator-pass");
    await act(moderator.locator(".stacked-form button[type=submit]"));
    await moderator.locator("#code").fill(code);
    await act(moderator.locator(".stacked-form button[type=submit]"));
    await moderator.locator(hydrated).waitFor();
    await act(moderator.getByRole("link", { name: t(locale, "moderation", "nav_moderation") }).first());
    await shot(moderator, `moderator-1-queue-${locale}`);
    const held = moderator.locator(".queue-item").filter({ hasText: title });
    await act(held.locator("form").first().locator("button[type=submit]"));
    await expect(moderator.locator("#moderation-done")).toContainText(t(locale, "moderation", "done_approved"));
    // The page keeps its place: the message stands where the card was,
    // in sight, its text and its undo button on one line.
    const done = moderator.locator("ol.queue > li.done-slot #moderation-done");
    await expect(done).toBeInViewport();
    const [text, undoButton] = [await done.locator("p").boundingBox(), await done.locator("button").boundingBox()];
    if (text && undoButton && locale === "en") {
      expect(Math.abs(text.y + text.height / 2 - (undoButton.y + undoButton.height / 2))).toBeLessThan(3);
    }
    await shot(moderator, `moderator-2-approved-${locale}`);
    await act(moderator.locator("#moderation-done button"));
    await expect(held).toHaveCount(1);
    await act(held.locator("form").first().locator("button[type=submit]"));
    await expect(held).toHaveCount(0);
    const reported = moderator.locator(`#queue-${id}`);
    await reported.locator("input[id^=hide-reason]").fill(locale === "en" ? "Personal attack." : "هجوم شخصي.");
    await act(reported.locator("form").nth(1).locator("button[type=submit]"));
    await expect(moderator.locator("#moderation-done")).toContainText(t(locale, "moderation", "done_hidden"));
    await shot(moderator, `moderator-3-hidden-${locale}`);
    expect(counted.actions).toBeLessThanOrEqual(7);
    await moderator.context().close();
  });
}

test("hostile markup never runs, for its author or the moderator (en)", async ({ browser }) => {
  test.setTimeout(120_000);
  const corpus = readFileSync(join(__dirname, "..", "..", "app", "src", "forums", "xss_vectors.txt"), "utf8");
  const vectors = corpus
    .split("\n")
    .filter((line, index, lines) => !(line.startsWith("#") && lines.slice(0, index).every((l) => l.startsWith("#"))))
    .join("\n")
    .split("\n----\n")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  // Every eighth vector: a sample across the whole corpus.
  const sample = vectors.filter((_, i) => i % 8 === 0);
  expect(sample.length).toBeGreaterThan(25);

  const author = await resident(browser, "en", `Tester ${unique()}`);
  const dialogs: string[] = [];
  author.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await author.goto("/en/forums/riverside/general");
  await author.locator("#title").fill(`Markup test ${unique()}`);
  await author.locator("#body").fill(sample[0]);
  await author.locator("form:has(#title) button[type=submit]").click();
  await expect(author).toHaveURL(/\/en\/t\/\d+/);
  const thread = new URL(author.url()).pathname;
  for (const vector of sample.slice(1)) {
    await author.goto(`${thread}?page=last`);
    await author.locator("#reply-body").fill(vector);
    await author.locator("form:has(#reply-body) button[type=submit]").click();
    await expect(author).toHaveURL(/\/en\/t\/\d+/);
  }

  const noScriptRan = async (page: Page) => {
    for (const frame of page.frames()) {
      const flag = await frame.evaluate(() => (window as unknown as { __xss?: unknown }).__xss).catch(() => undefined);
      expect(flag, `a payload ran in ${frame.url()}`).toBeUndefined();
    }
  };
  await author.goto(thread);
  await author.locator(hydrated).waitFor();
  await expect(author.locator("article.post")).toHaveCount(sample.length);
  // Hover and focus every link a payload could have planted.
  for (const link of await author.locator(".post-body a").all()) {
    await link.hover().catch(() => undefined);
  }
  await noScriptRan(author);

  const moderator = await (await browser.newContext()).newPage();
  moderator.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signInModerator(moderator, "en");
  await moderator.goto("/en/moderation");
  await moderator.locator(hydrated).waitFor();
  await noScriptRan(moderator);
  expect(dialogs).toEqual([]);
});

test("with JavaScript, new replies appear without a reload (en)", async ({ browser }) => {
  test.setTimeout(90_000);
  const reader = await resident(browser, "en", `Reader ${unique()}`);
  // The demo's pinned thread; the moderator's reply is published at once.
  await reader.goto("/en/t/1?page=last");
  await reader.locator(hydrated).waitFor();
  const before = await reader.locator("article.post").count();

  const moderator = await (await browser.newContext()).newPage();
  await signInModerator(moderator, "en");
  const words = `Live update ${unique()}`;
  await moderator.goto("/en/t/1?page=last");
  await moderator.locator("#reply-body").fill(words);
  await moderator.locator("form:has(#reply-body) button[type=submit]").click();

  await expect(reader.locator("article.post")).toHaveCount(before + 1, { timeout: 40_000 });
  await expect(reader.locator("article.post").last()).toContainText(words);
});

test("announcements show on every page and the forums read right to left (ar)", async ({ page }) => {
  for (const path of ["/ar", "/ar/forums", "/ar/signin"]) {
    await page.goto(path);
    await expect(page.locator(".announcements li").first()).toBeVisible();
  }
  await page.goto("/ar/announcements");
  await expect(page.locator(".announcement-full").first()).toBeVisible();
  await page.goto("/ar/forums");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator(".category-list li")).toHaveCount(9);
  await page.goto("/feed.atom");
  await expect(page.locator("body")).toBeVisible();
});

// A reader without an account is served a thread kept in the page cache
// (PARLEY_PAGE_CACHE_MS): the kept page still hydrates, its scripts carry
// the nonce its Content-Security-Policy names, and the locale is still
// remembered.
test("a thread served from the page cache hydrates under its own policy", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let response = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    await context.request.get("/ar/t/6");
    response = await page.goto("/ar/t/6");
    if (response?.headers()["x-page-cache"] === "hit") break;
  }
  expect(response?.headers()["x-page-cache"]).toBe("hit");
  await expect(page.locator(hydrated)).toBeAttached();
  const policy = response?.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  const nonces = await page.evaluate(() =>
    Array.from(document.querySelectorAll("script")).map((script) => script.nonce),
  );
  expect(nonces.length).toBeGreaterThan(0);
  expect(nonces.every((value) => value === nonce)).toBe(true);
  const cookies = await context.cookies();
  expect(cookies.find((cookie) => cookie.name === "parley_locale")?.value).toBe("ar");
  await context.close();
});

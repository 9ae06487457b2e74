import { expect, test } from "@playwright/test";
import { actionCounter, expectNoSeriousAxeViolation, hydrated, shot, smallTapTargets, t } from "./pages";
import { totp } from "./totp";

// Surveys as residents meet them: the demo's survey on feeling safe,
// answered in Arabic on a small screen without JavaScript (a refused page
// names each missing answer and keeps what was typed; the answers are
// saved page by page, found again later on the same device, and changed),
// then its results with a cross-tab, in English on a wide screen.

test.describe("without JavaScript, on a phone", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

  test("a resident answers in Arabic, comes back later and changes an answer", async ({ page }) => {
    const { counted, act } = actionCounter();
    await page.goto("/ar");
    // The home page lists the open survey among what is open now.
    const takePart = page.locator(`a.button[href="/ar/surveys/1"]`);
    await expect(takePart).toHaveText(t("ar", "surveys", "take_part"));
    await act(takePart);
    await expect(page).toHaveURL(/\/ar\/surveys\/1$/);
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");

    const questions = page.locator("fieldset.question");
    // Sent with the first answer only: the others are named, in Arabic,
    // and the first stays chosen.
    await questions.nth(0).locator('input[value="fairly-safe"]').check();
    await act(page.locator("form.stacked-form button[type=submit]"));
    const alert = page.locator("p.error[role=alert]");
    await expect(alert).toContainText(t("ar", "surveys", "some_answers"));
    await expect(alert).toContainText(t("ar", "surveys", "question_n").replace("{{ n }}", "2"));
    await expect(questions.nth(1).locator("p.error")).toHaveText(t("ar", "surveys", "problem_required"));
    await expect(questions.nth(0).locator('input[value="fairly-safe"]')).toBeChecked();

    for (const statement of ["lighting", "help", "fair"]) {
      await questions.nth(1).locator(`input[name$="_${statement}]"][value="4"]`).check();
    }
    await questions.nth(2).locator('input[value="underpass"]').check();
    // Question 4 says when it applies; it is answered here.
    await expect(questions.nth(3)).toContainText(t("ar", "surveys", "shown_if").replace("{{ n }}", "3"));
    await questions.nth(3).locator("textarea").fill("إنارة أفضل في النفق وحارس في المساء");
    await shot(page, "survey-page-1-ar-360");
    await act(page.locator("form.stacked-form button[type=submit]"));
    await expect(page).toHaveURL(/\/ar\/surveys\/1\/page\/1$/);

    // Page 2: the ranking, by choosing a position for each option.
    const ranks = page.locator(".rank select");
    for (let at = 0; at < 4; at += 1) {
      await ranks.nth(at).selectOption(String(at + 1));
    }
    await page.locator('input[inputmode="decimal"]').fill("8");
    await shot(page, "survey-page-2-ar-360");
    await act(page.locator("form.stacked-form button[type=submit]"));
    await expect(page).toHaveURL(/\/ar\/surveys\/1\/sent$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(t("ar", "surveys", "sent_title"));
    // From the home page to a sent response: five steps, one of them the
    // refused page.
    expect(counted.actions).toBeLessThanOrEqual(5);

    // Later, on the same device: the answers are there, and can change.
    await page.goto("/ar/surveys/1");
    await expect(page.locator(".notice[role=status]")).toHaveText(t("ar", "surveys", "editing_sent"));
    await expect(questions.nth(0).locator('input[value="fairly-safe"]')).toBeChecked();
    await expect(questions.nth(3).locator("textarea")).toHaveValue("إنارة أفضل في النفق وحارس في المساء");
    await questions.nth(0).locator('input[value="very-safe"]').check();
    await page.locator("form.stacked-form button[type=submit]").click();
    await expect(page).toHaveURL(/\/ar\/surveys\/1\/page\/1$/);
    await expect(page.locator(".rank select").first()).toHaveValue("1");
    await page.locator("form.stacked-form button[type=submit]").click();
    await expect(page).toHaveURL(/\/ar\/surveys\/1\/sent$/);
  });
});

test("the results show counts with their tables and take a cross-tab", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/en/surveys/1/results");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Feeling safe in your neighbourhood");
  await expect(page.locator(".lead")).toContainText("responses");
  const first = page.locator("section.result").first();
  await expect(first.locator("svg.chart")).toBeVisible();
  await expect(first.locator("table.data tbody tr")).toHaveCount(4);
  await shot(page, "survey-results-en-1280");

  // Only the people under 30: a cross-tab on the age question.
  await page.locator("details.survey-filters summary").click();
  await page.locator("#slice").selectOption({ label: "Under 30" });
  await page.locator("details.survey-filters button[type=submit]").click();
  await expect(page).toHaveURL(/slice=x%3A\d+%3Aunder-30/);
  await expect(page.locator("#slice")).toHaveValue(/under-30$/);
  await expect(page.locator(".lead")).toContainText("responses");
  await shot(page, "survey-results-crosstab-en-1280");
});

test("an organiser builds a survey with an Arabic translation and invitation cards; a card holder answers it", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const organiser = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await organiser.newPage();
  await page.goto("/en/signin");
  await page.locator("#login").fill("Demo Organiser");
  await page.locator("#password").fill("demo-organiser-pass");
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page.locator(".account-name")).toHaveText("Demo Organiser");
  // The editor needs two-step sign-in: set it up.
  await page.goto("/en/me/two-factor");
  await page.locator(hydrated).waitFor();
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await page.locator("#code").fill(totp(secret));
  await page.locator(".stacked-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/en\/me$/);

  const { counted, act } = actionCounter();
  await page.goto("/en/surveys");
  await act(page.getByRole("link", { name: "Start a survey" }));
  await page.locator("#title").fill("A youth evening at the library");
  await page.locator("#intro").fill("Would you come? **Tell us.**");
  await page.locator("#scope").selectOption({ label: "Community cohesion" });
  await page.locator("#audience-codes").check();
  await act(page.locator("form.stacked-form button[type=submit]"));
  await expect(page).toHaveURL(/\/en\/surveys\/\d+\/edit$/);
  const id = /surveys\/(\d+)\/edit/.exec(page.url())?.[1] ?? "";

  // A required single choice, then a free text shown after its "Yes".
  const add = page.locator(".add-question button[type=submit]");
  await page.locator("#kind").selectOption("single");
  await page.locator("#prompt").fill("Would you come?");
  await page.locator("#required").check();
  await page.locator("#options").fill("Yes\nNo");
  await act(add);
  await expect(page.locator(".editor-questions > li")).toHaveCount(1);
  await page.locator("#kind").selectOption("text");
  await page.locator("#prompt").fill("What would you like to do there?");
  await page.locator("#max").fill("500");
  await page.locator("#condition").selectOption({ label: "1. Would you come?: Yes" });
  await act(add);
  await expect(page.locator(".editor-questions > li")).toHaveCount(2);
  await expectNoSeriousAxeViolation(page);
  await shot(page, "survey-editor-en-1280");

  // Arabic: the title and the first question; the rest stays English.
  await act(page.locator(`a[href="/en/surveys/${id}/translate/ar"]`));
  await page.locator('[name="texts[title]"]').fill("أمسية للشباب في المكتبة");
  await page.locator('[name^="texts[q."][name$=".prompt]"]').first().fill("هل ستأتي؟");
  await act(page.locator("form.stacked-form button[type=submit]"));
  await expect(page).toHaveURL(new RegExp(`/en/surveys/${id}/edit`));
  await expect(page.locator(".editor-languages")).toContainText("4 texts not yet translated");

  // Publish, then a sheet of three cards.
  await act(page.getByRole("button", { name: "Publish the survey" }));
  await page.locator("#count").fill("3");
  await act(page.getByRole("button", { name: "Make the codes" }));
  await expect(page).toHaveURL(new RegExp(`/en/surveys/${id}/codes/\\d+$`));
  await expect(page.locator(".invitation")).toHaveCount(3);
  await expect(page.locator(".invitation svg").first()).toBeVisible();
  const code = ((await page.locator(".invitation .code").first().textContent()) ?? "").trim();
  await shot(page, "survey-codes-en-1280");
  // From the surveys page to printed cards.
  expect(counted.actions).toBeLessThanOrEqual(8);
  // The editor on a phone, in Arabic.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`/ar/surveys/${id}/edit`);
  await expect(page.locator(".editor-questions > li")).toHaveCount(2);
  await shot(page, "survey-editor-ar-360");
  await page.goto(`/ar/surveys/${id}/translate/fr`);
  await shot(page, "survey-translate-ar-360");

  // The demo's cohesion survey, which this organiser runs: every response
  // as CSV, and a written question's answers by theme, masked.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/en/surveys/2/results");
  const download = page.getByRole("link", { name: "Every response (CSV)" });
  const csv = await page.request.get((await download.getAttribute("href")) ?? "");
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toMatch(/^response,submitted,channel,language,area,q\d+/);
  await page.getByRole("link", { name: "Themes of the written answers" }).first().click();
  await expect(page).toHaveURL(/\/en\/surveys\/2\/answers\/\d+$/);
  await expect(page.locator("table.data caption")).toHaveText("Themes found in the answers");
  await expect(page.getByRole("heading", { name: "The answers, masked" })).toBeVisible();
  await expectNoSeriousAxeViolation(page);
  await shot(page, "survey-answers-en-1280");
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(page.url().replace("/en/", "/ar/"));
  expect(await smallTapTargets(page)).toEqual([]);
  await shot(page, "survey-answers-ar-360");
  await organiser.close();

  // The card's QR code opens the survey with the code filled in: here in
  // Arabic, on a phone, without JavaScript.
  const holder = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const phone = await holder.newPage();
  await phone.goto(`/ar/surveys/${id}?code=${code}`);
  await expect(phone.getByRole("heading", { level: 1 })).toHaveText("أمسية للشباب في المكتبة");
  await expect(phone.locator("#code")).toHaveValue(code);
  await phone.locator('fieldset.question input[value="yes"]').check();
  await phone.locator("textarea").fill("نادي قراءة وشطرنج");
  await shot(phone, "survey-code-holder-ar-360");
  await phone.locator("form.stacked-form button[type=submit]").click();
  await expect(phone).toHaveURL(new RegExp(`/ar/surveys/${id}/sent\\?sealed=1$`));
  await expect(phone.locator("main")).toContainText(t("ar", "surveys", "sealed"));
  await holder.close();

  // The same card again, on another phone: refused, by name.
  const again = await browser.newContext({ javaScriptEnabled: false });
  const other = await again.newPage();
  await other.goto(`/en/surveys/${id}?code=${code}`);
  await other.locator('fieldset.question input[value="no"]').check();
  await other.locator("form.stacked-form button[type=submit]").click();
  await expect(other.locator("p.error[role=alert]")).toContainText("Code");
  await again.close();
});

import { expect, test } from "@playwright/test";
import { actionCounter, shot, t } from "./pages";

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
  await page.locator("details.filters summary").click();
  await page.locator("#slice").selectOption({ label: "Under 30" });
  await page.locator("details.filters button[type=submit]").click();
  await expect(page).toHaveURL(/slice=x%3A\d+%3Aunder-30/);
  await expect(page.locator("#slice")).toHaveValue(/under-30$/);
  await expect(page.locator(".lead")).toContainText("responses");
  await shot(page, "survey-results-crosstab-en-1280");
});

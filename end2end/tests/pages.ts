// The pages every check walks: each section, in every locale.

export const locales = ["en", "fr", "es", "ar", "ur", "id"] as const;
export const rtlLocales = new Set(["ar", "ur"]);

export const sections = ["", "/forums", "/surveys", "/focus-groups", "/drafts", "/feedback", "/signup", "/signin", "/me"];

/** Every page of the site, plus a 404, in every locale. */
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

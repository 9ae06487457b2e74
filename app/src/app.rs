//! The HTML shell and the route table.

use crate::admin::pages::{AdminRolesPage, AuditLogPage};
use crate::announcements::pages::AnnouncementsPage;
use crate::auth::pages::{MyAccountPage, SignInPage, SignUpPage};
use crate::auth::reset_pages::{ForgotPasswordPage, ResetPasswordPage, ResetSentPage};
use crate::auth::two_factor_pages::{SignInCodePage, TwoFactorPage};
use crate::contributions::pages::ContributionsPage;
use crate::dashboard::pages::DashboardPage;
use crate::drafts::pages::{
    DraftDiffPage, DraftPage, DraftResponsesPage, DraftsPage, EditDraftPage, NewDraftPage,
};
use crate::feedback::pages::{FeedbackFollowPage, FeedbackPage};
use crate::focus_groups::organise::{FocusGroupPeoplePage, NewFocusGroupPage};
use crate::focus_groups::pages::{FocusGroupPage, FocusGroupsPage, MyFocusGroupPage};
use crate::forums::pages::{
    AreaForumsPage, CategoryPage, EditPostPage, ForumsPage, ReportPostPage, ThreadView,
};
use crate::home::pages::HomePage;
use crate::jobs::pages::AdminJobsPage;
use crate::moderation::pages::{FiltersPageView, ModerationPage, PostHistoryPage};
use crate::participation::pages::{PrivateLinkPage, RestorePage};
use crate::review::pages::ReviewItemPage;
use crate::review::queue_pages::{QueuePageView, ReviewHomePage};
use crate::surveys::editor_pages::{
    CodeSheetPage, EditSurveyPage, NewSurveyPage, TranslateSurveyPage,
};
use crate::surveys::pages::{SurveyResultsPage, SurveySectionPage, SurveySentPage, SurveysPage};
use crate::themes::pages::AdminThemesPage;
use crate::ui::layout::LocaleLayout;
use crate::ui::not_found::NotFoundPage;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The document around every page. `<html lang dir>` is filled in by the
/// locale layout through `leptos_meta::Html`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="data:," />
                <Hydration options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Loads the WebAssembly bundle and hydrates the page's islands: after the
/// bundle starts, each `<leptos-island>` is handed, in document order, to
/// the function its `data-component` names. Leptos' `HydrationScripts`
/// (0.8.23) writes the CSP nonce into `crossorigin`, which is invalid HTML;
/// this emits the same elements correctly.
#[component]
fn Hydration(options: LeptosOptions) -> impl IntoView {
    let pkg = format!("/{}", options.site_pkg_dir);
    let js = format!("{pkg}/{}.js", options.output_name);
    // `make front` names the bundle after the output name (`parley.wasm`).
    let wasm = format!("{pkg}/{}.wasm", options.output_name);
    let script = format!(
        "import('{js}').then(m => m.default({{module_or_path: '{wasm}'}}).then(() => {{\
         m.hydrate();\
         for (const island of document.querySelectorAll('leptos-island')) {{\
         const hydrate = m[island.dataset.component];\
         if (hydrate) hydrate(island);\
         }}\
         }}));"
    );
    let nonce = leptos::nonce::use_nonce();
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        nonce.as_ref(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(policy) = http::HeaderValue::from_str(&content_security_policy(nonce))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
    }
    view! {
        <link rel="modulepreload" href=js.clone() />
        <link rel="preload" href=wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin="anonymous" />
        <script type="module" nonce=nonce>{script}</script>
    }
}

/// What a page may load and run: its own files, its hydration scripts
/// (which carry this response's nonce) and WebAssembly; no inline script
/// without the nonce, no plugin, no framing by another site.
#[cfg(feature = "ssr")]
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Every page lives under a locale prefix; `/` itself is answered by the
/// server with a redirect to the best locale. Pages render whole on the
/// server (`SsrMode::Async`) so that they read the same without JavaScript
/// and can set their status (404) before the first byte is sent.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::locale::install_plural_rules();

    view! {
        <Stylesheet id="leptos" href="/pkg/parley.css" />
        <Router>
            <Routes fallback=NotFoundPage>
                <ParentRoute path=path!("/:lang") view=LocaleLayout>
                    <Route ssr=SsrMode::Async path=path!("") view=HomePage />
                    <Route ssr=SsrMode::Async path=path!("forums") view=ForumsPage />
                    <Route ssr=SsrMode::Async path=path!("forums/:area") view=AreaForumsPage />
                    <Route ssr=SsrMode::Async path=path!("forums/:area/:category") view=CategoryPage />
                    <Route ssr=SsrMode::Async path=path!("t/:id") view=|| view! { <ThreadView tools=crate::moderation::parts::thread_tools /> } />
                    <Route ssr=SsrMode::Async path=path!("t/:id/:slug") view=|| view! { <ThreadView tools=crate::moderation::parts::thread_tools /> } />
                    <Route ssr=SsrMode::Async path=path!("posts/:id/edit") view=EditPostPage />
                    <Route ssr=SsrMode::Async path=path!("posts/:id/report") view=ReportPostPage />
                    <Route ssr=SsrMode::Async path=path!("moderation") view=ModerationPage />
                    <Route ssr=SsrMode::Async path=path!("moderation/filters") view=FiltersPageView />
                    <Route ssr=SsrMode::Async path=path!("moderation/posts/:id") view=PostHistoryPage />
                    <Route ssr=SsrMode::Async path=path!("announcements") view=AnnouncementsPage />
                    <Route ssr=SsrMode::Async path=path!("surveys") view=SurveysPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/new") view=NewSurveyPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/:id") view=SurveySectionPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/:id/edit") view=EditSurveyPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/:id/translate/:target") view=TranslateSurveyPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/:id/codes/:batch") view=CodeSheetPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/:id/page/:section") view=SurveySectionPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/:id/sent") view=SurveySentPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/:id/answers/:question") view=crate::surveys::free_text::SurveyAnswersPage />
                    <Route ssr=SsrMode::Async path=path!("surveys/:id/results") view=SurveyResultsPage />
                    <Route ssr=SsrMode::Async path=path!("focus-groups") view=FocusGroupsPage />
                    <Route ssr=SsrMode::Async path=path!("focus-groups/new") view=NewFocusGroupPage />
                    <Route ssr=SsrMode::Async path=path!("focus-groups/mine/:token") view=MyFocusGroupPage />
                    <Route ssr=SsrMode::Async path=path!("focus-groups/:id") view=FocusGroupPage />
                    <Route ssr=SsrMode::Async path=path!("focus-groups/:id/people") view=FocusGroupPeoplePage />
                    <Route ssr=SsrMode::Async path=path!("focus-groups/:id/texts/:target") view=crate::focus_groups::texts_page::FocusGroupTextsPage />
                    <Route ssr=SsrMode::Async path=path!("drafts") view=DraftsPage />
                    <Route ssr=SsrMode::Async path=path!("drafts/new") view=NewDraftPage />
                    <Route ssr=SsrMode::Async path=path!("drafts/:id") view=DraftPage />
                    <Route ssr=SsrMode::Async path=path!("drafts/:id/edit") view=EditDraftPage />
                    <Route ssr=SsrMode::Async path=path!("drafts/:id/diff") view=DraftDiffPage />
                    <Route ssr=SsrMode::Async path=path!("drafts/:id/responses") view=DraftResponsesPage />
                    <Route ssr=SsrMode::Async path=path!("feedback") view=FeedbackPage />
                    <Route ssr=SsrMode::Async path=path!("feedback/:token") view=FeedbackFollowPage />
                    <Route ssr=SsrMode::Async path=path!("signup") view=SignUpPage />
                    <Route ssr=SsrMode::Async path=path!("signin") view=SignInPage />
                    <Route ssr=SsrMode::Async path=path!("signin/code") view=SignInCodePage />
                    <Route ssr=SsrMode::Async path=path!("forgot") view=ForgotPasswordPage />
                    <Route ssr=SsrMode::Async path=path!("forgot/sent") view=ResetSentPage />
                    <Route ssr=SsrMode::Async path=path!("reset/:token") view=ResetPasswordPage />
                    <Route ssr=SsrMode::Async path=path!("me") view=MyAccountPage />
                    <Route ssr=SsrMode::Async path=path!("me/two-factor") view=TwoFactorPage />
                    <Route ssr=SsrMode::Async path=path!("me/private-link") view=PrivateLinkPage />
                    <Route ssr=SsrMode::Async path=path!("me/contributions") view=ContributionsPage />
                    <Route ssr=SsrMode::Async path=path!("restore/:token") view=RestorePage />
                    <Route ssr=SsrMode::Async path=path!("admin") view=AdminRolesPage />
                    <Route ssr=SsrMode::Async path=path!("admin/roles") view=AdminRolesPage />
                    <Route ssr=SsrMode::Async path=path!("admin/audit") view=AuditLogPage />
                    <Route ssr=SsrMode::Async path=path!("review") view=ReviewHomePage />
                    <Route ssr=SsrMode::Async path=path!("review/dashboard") view=DashboardPage />
                    <Route ssr=SsrMode::Async path=path!("review/items/:id") view=ReviewItemPage />
                    <Route ssr=SsrMode::Async path=path!("review/:draft") view=QueuePageView />
                    <Route ssr=SsrMode::Async path=path!("admin/themes") view=AdminThemesPage />
                    <Route ssr=SsrMode::Async path=path!("admin/jobs") view=AdminJobsPage />
                    <Route ssr=SsrMode::Async path=path!("*any") view=NotFoundPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

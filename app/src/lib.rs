//! Parley's Leptos application.
//!
//! Organised by feature (see ARCHITECTURE.md): each feature folder holds its
//! wire types (`mod.rs`), server functions (`api.rs`), SQL (`db.rs`, server
//! only) and pages (`pages.rs`). Cross-cutting rooms: `ui` (layout and shared
//! components), `locale` (choosing and switching the language), `error`.

// The release wasm build computes the layout of deeply nested view types
// (the admin tables); the default query depth of 128 is not enough.
#![recursion_limit = "256"]

pub mod admin;
pub mod announcements;
pub mod app;
pub mod auth;
pub mod channel;
pub mod contributions;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod db;
pub mod drafts;
pub mod error;
pub mod feedback;
pub mod focus_groups;
pub mod forums;
#[cfg(all(test, feature = "ssr"))]
mod fuzz;
pub mod home;
#[cfg(feature = "ssr")]
pub mod input;
pub mod jobs;
pub mod locale;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod moderation;
pub mod participation;
#[cfg(feature = "ssr")]
pub mod personal_data;
pub mod review;
#[cfg(feature = "ssr")]
pub mod security;
pub mod surveys;
pub mod taxonomy;
#[cfg(feature = "ssr")]
pub mod text;
pub mod text_csv;
pub mod themes;
pub mod ui;
pub mod validation;

/// The `i18n` module, generated from `locales/` as listed in
/// `app/Cargo.toml` (`[package.metadata.leptos-i18n]`).
#[allow(clippy::expect_used, clippy::unwrap_used, deprecated)]
mod generated {
    leptos_i18n::load_locales!();
}
pub use generated::i18n;

/// Entry point of the WebAssembly bundle. Pages are rendered on the server
/// and stay inert; only the islands (`#[island]`: the header's menu, a
/// thread's live replies, the review queue's keyboard shortcuts) are
/// hydrated, each by its own exported function, which the loader in
/// [`app::shell`] calls for every `<leptos-island>` on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

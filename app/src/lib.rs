//! Parley's Leptos application.
//!
//! Organised by feature (see ARCHITECTURE.md): each feature folder holds its
//! wire types (`mod.rs`), server functions (`api.rs`), SQL (`db.rs`, server
//! only) and pages (`pages.rs`). Cross-cutting rooms: `ui` (layout and shared
//! components), `locale` (choosing and switching the language), `error`.

pub mod app;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
pub mod home;
pub mod locale;
pub mod sections;
pub mod taxonomy;
pub mod ui;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// Entry point of the WebAssembly bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

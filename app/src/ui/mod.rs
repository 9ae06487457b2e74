//! Shared components: the page layout, the language switcher, error
//! messages and the 404 page.

pub mod error_message;
pub mod forms;
pub mod language_switcher;
pub mod languages;
pub mod layout;
pub mod loaded;
pub mod not_found;
#[cfg(feature = "ssr")]
pub mod refused;
pub mod time;

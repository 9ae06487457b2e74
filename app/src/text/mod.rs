//! Text that residents write, made safe and comparable (server only, no
//! Leptos): Markdown rendered once and sanitised ([`markdown`]), and text
//! folded for matching word filters whatever the spelling tricks
//! ([`fold`]).

pub mod chars;
pub mod fold;
pub mod markdown;

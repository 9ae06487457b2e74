//! The input pipeline (server only, no Leptos): what happens to every text
//! residents write before policymakers read it. An item is written with its
//! source, counted against its rate limits and given an analysis job
//! ([`contribute::contribute`], the one way in); a worker (in the
//! server crate) runs [`analyse::analyse`] on it: language ([`language`]),
//! masking of personal data ([`mask`]), themes from keyword rules
//! ([`rules`], over [`tokens`]) and the classifier ([`classify`]), and the
//! campaign signature ([`campaigns`]); [`db::store_analyses`] stores it,
//! groups campaigns and indexes the masked text for search.

pub mod analyse;
#[cfg(any(test, feature = "bench"))]
pub mod campaign_eval;
pub mod campaigns;
pub mod classify;
pub mod classify_bench;
pub mod contribute;
pub mod db;
pub mod language;
pub mod mask;
pub mod rules;
pub mod tokens;

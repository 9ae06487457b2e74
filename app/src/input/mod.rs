//! The input pipeline (server only, no Leptos): what happens to every text
//! residents write before policymakers read it. Today: masking personal
//! data ([`mask`]). Language detection, themes, campaigns and search come
//! with the rest of the pipeline.

pub mod mask;

//! The home page: what Parley is, open consultations, the town's areas and
//! themes.

pub mod pages;

//! Accounts and who may do what. Today: the domain types that account
//! input is parsed into; sign-up, sessions and roles build on them.

pub mod domain;

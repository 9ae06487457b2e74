//! Rebuilds the server when a migration is added or changed: `sqlx::migrate!`
//! embeds `migrations/` at compile time but does not tell Cargo to watch it.

fn main() {
    println!("cargo::rerun-if-changed=../migrations");
}

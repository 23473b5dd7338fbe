//! Build script: only tells Cargo to rebuild when the embedded migrations change.
//!
//! `include_dir!` embeds each migration file with `include_bytes!`, so edits to an existing
//! file already trigger a rebuild, but a *new* migration directory would not (directory tracking
//! is nightly-only). Watching the whole folder closes that gap.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

//! Adapters for the engine's repository ports: [`WorkTree`] walks files with the `ignore` crate
//! (honouring .gitignore, including hidden files, never following symlinks out of the tree) and
//! [`GitHistory`] reads commits with gix.

mod history;
mod worktree;

pub use history::{GitHistory, HeadState};
pub use worktree::WorkTree;

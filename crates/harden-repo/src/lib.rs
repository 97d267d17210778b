//! Adapters for the engine's repository ports: [`WorkTree`] walks files with the `ignore` crate
//! (honouring .gitignore, including hidden files, never following symlinks out of the tree) and
//! [`GitHistory`] reads commits with gix.

mod blobs;
mod history;
mod memory;
mod worktree;

pub use history::{ANCHOR_REFS, GitHistory, HeadState};
pub use memory::{MemoryTree, SingleFile, StreamTree};
pub use worktree::WorkTree;

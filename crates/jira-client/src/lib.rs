//! Skeleton: filled by its own issue.

pub mod jql;
pub mod richtext;
mod summary;
pub use summary::sanitize_summary;

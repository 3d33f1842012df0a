//! Runnable examples of the mcas2jira client crates live in `examples/`; this library is empty.

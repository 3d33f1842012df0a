//! The `mcas2jira` command-line tool.

fn main() {}

//! `report`, run as the real binary against the fake services.

#[path = "../support/mod.rs"]
mod support;

mod browser;
mod points;
mod reports;

//! Integration tests of the fakes.

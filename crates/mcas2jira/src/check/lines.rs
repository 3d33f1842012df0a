//! The lines `check` prints: one per check, `ok`, `FAIL` or `skip`, or one JSON object each.

/// One line of `check`'s output.
#[derive(Debug, serde::Serialize)]
struct CheckLine {
    check: String,
    ok: bool,
    /// A check that was not made (it would have to change something): not a failure.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    skipped: bool,
    detail: String,
}

/// Prints the checks as they are made, and remembers whether one failed.
pub(super) struct Checks {
    pub(super) json: bool,
    pub(super) failed: bool,
}

impl Checks {
    /// A check made: passed with a detail, or failed with the reason.
    pub(super) fn report(&mut self, check: impl Into<String>, result: Result<String, String>) {
        let (ok, detail) = match result {
            Ok(detail) => (true, detail),
            Err(reason) => (false, reason),
        };
        self.failed |= !ok;
        self.print(CheckLine { check: check.into(), ok, skipped: false, detail });
    }

    /// A check not made, and why.
    pub(super) fn skip(&mut self, check: impl Into<String>, detail: String) {
        self.print(CheckLine { check: check.into(), ok: true, skipped: true, detail });
    }

    fn print(&self, line: CheckLine) {
        if self.json {
            say!("{}", serde_json::to_string(&line).unwrap_or_default());
        } else {
            let mark = match (line.ok, line.skipped) {
                (_, true) => "skip",
                (true, false) => "ok  ",
                (false, false) => "FAIL",
            };
            say!("{mark} {:<28} {}", line.check, line.detail);
        }
    }
}

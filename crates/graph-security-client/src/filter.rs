//! A safe builder for the OData `$filter` of `GET /security/alerts_v2`.

use std::fmt;

use jiff::{RoundMode, Timestamp, TimestampRound, Unit};

use crate::{AlertStatus, Classification, Determination, Error, ServiceSource, Severity};

/// A comparison operator of `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `lt`.
    Lt,
    /// `le`.
    Le,
}

impl Comparison {
    /// The operator as OData writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Eq => "eq",
            Comparison::Ne => "ne",
            Comparison::Gt => "gt",
            Comparison::Ge => "ge",
            Comparison::Lt => "lt",
            Comparison::Le => "le",
        }
    }
}

/// A value in a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Literal {
    /// Free text: any characters, quoted.
    Text(String),
    /// An enum member's name: checked to be an identifier, then quoted.
    Member(String),
    /// A date-time, unquoted.
    Time(Timestamp),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Compare { property: &'static str, op: Comparison, literal: Literal },
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// A `$filter` expression over the filterable properties of an alert.
///
/// Build it from comparisons and combine them with [`Filter::and`] and [`Filter::or`];
/// [`Filter::to_odata`] checks and writes it. `Display` writes the same text without the checks.
///
/// `alerts_v2` filters on `assignedTo`, `classification`, `determination`, `createdDateTime`,
/// `lastUpdateDateTime`, `severity`, `serviceSource` and `status`. A [`Filter`] names only those,
/// and writes each value the one way OData reads it back as the same value:
///
/// - text (`assignedTo`, and the enum members) as a string literal in single quotes, a quote
///   inside doubled (`'o''brien@contoso.com'`), so that no value can end the literal and add a
///   clause of its own;
/// - date-times unquoted, ISO 8601 in UTC (`2026-11-01T00:00:00Z`), cut to the 100 ns Graph keeps;
/// - enum members by their Graph names; a name this crate does not know must be a plain
///   identifier, and `unknownFutureValue` (a sentinel, not a value) is refused.
///
/// ```
/// use graph_security_client::{AlertStatus, Comparison, Filter, ServiceSource};
///
/// let since: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
/// let filter = Filter::service_source(ServiceSource::MicrosoftDefenderForCloudApps)
///     .and(Filter::created(Comparison::Ge, since))
///     .and(Filter::status(AlertStatus::New).or(Filter::status(AlertStatus::InProgress)));
/// assert_eq!(
///     filter.to_odata()?,
///     "serviceSource eq 'microsoftDefenderForCloudApps' and createdDateTime ge 2026-11-01T00:00:00Z \
///      and (status eq 'new' or status eq 'inProgress')",
/// );
/// # Ok::<(), graph_security_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    expr: Expr,
}

impl Filter {
    fn compare(property: &'static str, op: Comparison, literal: Literal) -> Filter {
        Filter { expr: Expr::Compare { property, op, literal } }
    }

    /// `serviceSource eq '<source>'`: alerts raised by this product.
    pub fn service_source(source: ServiceSource) -> Filter {
        Filter::compare("serviceSource", Comparison::Eq, Literal::Member(source.as_str().to_owned()))
    }

    /// Alerts raised by any of these products: `serviceSource eq 'a' or serviceSource eq 'b'`.
    /// `None` for an empty list.
    pub fn service_source_in(sources: impl IntoIterator<Item = ServiceSource>) -> Option<Filter> {
        sources.into_iter().map(Filter::service_source).reduce(Filter::or)
    }

    /// `status eq '<status>'`.
    pub fn status(status: AlertStatus) -> Filter {
        Filter::compare("status", Comparison::Eq, Literal::Member(status.as_str().to_owned()))
    }

    /// `severity eq '<severity>'`.
    pub fn severity(severity: Severity) -> Filter {
        Filter::compare("severity", Comparison::Eq, Literal::Member(severity.as_str().to_owned()))
    }

    /// `classification eq '<classification>'`.
    pub fn classification(classification: Classification) -> Filter {
        Filter::compare("classification", Comparison::Eq, Literal::Member(classification.as_str().to_owned()))
    }

    /// `determination eq '<determination>'`.
    pub fn determination(determination: Determination) -> Filter {
        Filter::compare("determination", Comparison::Eq, Literal::Member(determination.as_str().to_owned()))
    }

    /// `assignedTo eq '<owner>'`, the owner quoted as a string literal.
    pub fn assigned_to(owner: impl Into<String>) -> Filter {
        Filter::compare("assignedTo", Comparison::Eq, Literal::Text(owner.into()))
    }

    /// `createdDateTime <op> <time>`.
    pub fn created(op: Comparison, time: Timestamp) -> Filter {
        Filter::compare("createdDateTime", op, Literal::Time(time))
    }

    /// `lastUpdateDateTime <op> <time>`.
    pub fn last_updated(op: Comparison, time: Timestamp) -> Filter {
        Filter::compare("lastUpdateDateTime", op, Literal::Time(time))
    }

    /// Both this and `other` must hold.
    #[must_use]
    pub fn and(self, other: Filter) -> Filter {
        Filter { expr: join(self.expr, other.expr, true) }
    }

    /// This or `other` must hold.
    #[must_use]
    pub fn or(self, other: Filter) -> Filter {
        Filter { expr: join(self.expr, other.expr, false) }
    }

    /// Checks the filter and writes it as OData text, for `$filter`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an enum member that is `unknownFutureValue` or not a plain
    /// identifier.
    pub fn to_odata(&self) -> Result<String, Error> {
        check(&self.expr)?;
        Ok(self.to_string())
    }
}

/// Joins two expressions, flattening chains of the same operator.
fn join(left: Expr, right: Expr, and: bool) -> Expr {
    let mut items = Vec::new();
    for expr in [left, right] {
        match (expr, and) {
            (Expr::And(inner), true) | (Expr::Or(inner), false) => items.extend(inner),
            (other, _) => items.push(other),
        }
    }
    if and { Expr::And(items) } else { Expr::Or(items) }
}

fn check(expr: &Expr) -> Result<(), Error> {
    match expr {
        Expr::Compare { property, literal: Literal::Member(name), .. } => {
            let identifier = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric());
            if !identifier {
                return Err(Error::invalid(
                    "filter",
                    format!("{name:?} is not a value of {property}: enum members are plain identifiers"),
                ));
            }
            if name == "unknownFutureValue" {
                return Err(Error::invalid(
                    "filter",
                    format!("unknownFutureValue is a sentinel, not a value of {property}"),
                ));
            }
            Ok(())
        }
        Expr::Compare { .. } => Ok(()),
        Expr::And(items) | Expr::Or(items) => items.iter().try_for_each(check),
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, &self.expr, None)
    }
}

/// Writes `expr`; `parent_and` says which operator joins it to its siblings, so that a nested
/// chain of the other operator gets parentheses (`and` binds tighter than `or` in OData, and
/// parentheses keep either reading obvious).
fn write_expr(f: &mut fmt::Formatter<'_>, expr: &Expr, parent_and: Option<bool>) -> fmt::Result {
    match expr {
        Expr::Compare { property, op, literal } => {
            write!(f, "{property} {} ", op.as_str())?;
            match literal {
                Literal::Text(text) | Literal::Member(text) => write_quoted(f, text),
                Literal::Time(time) => write_time(f, *time),
            }
        }
        Expr::And(items) | Expr::Or(items) => {
            let and = matches!(expr, Expr::And(_));
            let nested = parent_and.is_some_and(|parent| parent != and);
            if nested {
                f.write_str("(")?;
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(if and { " and " } else { " or " })?;
                }
                write_expr(f, item, Some(and))?;
            }
            if nested { f.write_str(")") } else { Ok(()) }
        }
    }
}

/// An OData string literal: in single quotes, each quote inside doubled.
fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("'")?;
    for (i, part) in text.split('\'').enumerate() {
        if i > 0 {
            f.write_str("''")?;
        }
        f.write_str(part)?;
    }
    f.write_str("'")
}

/// A `DateTimeOffset` literal: UTC, `Z`, at most seven fractional digits (cut, not rounded, so
/// that a `ge` bound never moves past the time it was given).
fn write_time(f: &mut fmt::Formatter<'_>, time: Timestamp) -> fmt::Result {
    let options = TimestampRound::new().smallest(Unit::Nanosecond).increment(100).mode(RoundMode::Trunc);
    let time = time.round(options).unwrap_or(time);
    write!(f, "{time}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_text(filter: Filter, expected: &str) {
        assert_eq!(filter.to_odata().unwrap(), expected);
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn quoting() {
        check_text(Filter::assigned_to("secops@contoso.com"), "assignedTo eq 'secops@contoso.com'");
        check_text(Filter::assigned_to("o'brien"), "assignedTo eq 'o''brien'");
        check_text(Filter::assigned_to("'"), "assignedTo eq ''''");
        check_text(Filter::assigned_to(""), "assignedTo eq ''");
        check_text(Filter::assigned_to("x' or status eq 'new"), "assignedTo eq 'x'' or status eq ''new'");
    }

    #[test]
    fn times() {
        check_text(
            Filter::created(Comparison::Ge, at("2026-11-01T00:00:00Z")),
            "createdDateTime ge 2026-11-01T00:00:00Z",
        );
        check_text(
            Filter::last_updated(Comparison::Lt, at("2026-11-01T00:00:00.123456789Z")),
            "lastUpdateDateTime lt 2026-11-01T00:00:00.1234567Z",
        );
        check_text(
            Filter::created(Comparison::Le, at("2026-11-01T01:00:00+01:00")),
            "createdDateTime le 2026-11-01T00:00:00Z",
        );
    }

    #[test]
    fn nesting() {
        let new = || Filter::status(AlertStatus::New);
        let high = || Filter::severity(Severity::High);
        let mda = || Filter::service_source(ServiceSource::MicrosoftDefenderForCloudApps);
        check_text(
            new().and(high()).and(mda()),
            "status eq 'new' and severity eq 'high' and serviceSource eq 'microsoftDefenderForCloudApps'",
        );
        check_text(
            new().or(high()).and(mda()),
            "(status eq 'new' or severity eq 'high') and serviceSource eq 'microsoftDefenderForCloudApps'",
        );
        check_text(
            new().and(high()).or(mda()),
            "(status eq 'new' and severity eq 'high') or serviceSource eq 'microsoftDefenderForCloudApps'",
        );
        assert_eq!(Filter::service_source_in([]), None);
        check_text(
            Filter::service_source_in([
                ServiceSource::MicrosoftDefenderForCloudApps,
                ServiceSource::MicrosoftDefenderForIdentity,
            ])
            .unwrap(),
            "serviceSource eq 'microsoftDefenderForCloudApps' or serviceSource eq 'microsoftDefenderForIdentity'",
        );
    }

    /// Reads an OData string literal back: the text between the quotes, doubled quotes undone.
    /// `None` if a lone quote ends it early (the value would have escaped its literal).
    fn unquote(literal: &str) -> Option<String> {
        let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\'' && chars.next() != Some('\'') {
                return None;
            }
            out.push(c);
        }
        Some(out)
    }

    proptest::proptest! {
        #[test]
        fn any_text_stays_inside_its_literal(text in ".*") {
            let odata = Filter::assigned_to(text.clone()).to_odata().unwrap();
            let literal = odata.strip_prefix("assignedTo eq ").unwrap();
            proptest::prop_assert_eq!(unquote(literal), Some(text));
        }
    }

    #[test]
    fn members_are_checked() {
        check_text(Filter::severity(Severity::Other("critical".into())), "severity eq 'critical'");
        for bad in [
            Filter::severity(Severity::UnknownFutureValue),
            Filter::severity(Severity::Other("high' or 1 eq 1".into())),
            Filter::status(AlertStatus::Other(String::new())),
            Filter::assigned_to("x").and(Filter::determination(Determination::Other("a b".into()))),
        ] {
            assert!(matches!(bad.to_odata(), Err(Error::InvalidInput { .. })), "{bad}");
        }
    }
}

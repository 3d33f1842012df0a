//! The subset of OData `$filter` the fake Graph understands: comparisons on the filterable
//! properties of `alerts_v2`, joined with `and`, `or` and parentheses.
//!
//! Strict where Graph is: string literals in single quotes (a quote inside doubled), date-times
//! unquoted; an unknown property, operator or a quoted date-time is an error, so that a client
//! that writes a filter wrongly finds out here rather than against the real service.

use jiff::Timestamp;
use serde_json::Value;

/// A parsed `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Compare { property: Property, op: Op, literal: Literal },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Property {
    /// A property holding text (or an enum member's name).
    Text(&'static str),
    /// A property holding a date-time.
    Time(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Text(String),
    Time(Timestamp),
}

const TEXT_PROPERTIES: [&str; 6] =
    ["assignedTo", "classification", "determination", "severity", "serviceSource", "status"];
const TIME_PROPERTIES: [&str; 2] = ["createdDateTime", "lastUpdateDateTime"];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '\'' => {
                chars.next();
                let mut literal = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            literal.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => literal.push(c),
                        None => return Err("unterminated string literal".to_owned()),
                    }
                }
                out.push(Token::Quoted(literal));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '\'') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

/// Parses a `$filter` value.
pub(crate) fn parse(text: &str) -> Result<Expr, String> {
    let tokens = tokens(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let expr = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(expr),
        Some(token) => Err(format!("syntax error at {token:?}")),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&mut self, keyword: &str) -> bool {
        match self.tokens.get(self.at) {
            Some(Token::Word(word)) if word.eq_ignore_ascii_case(keyword) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.factor()?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err("missing `)`".to_owned()),
                }
            }
            Some(Token::Word(name)) => self.comparison(&name),
            other => Err(format!("expected a property, found {other:?}")),
        }
    }

    fn comparison(&mut self, name: &str) -> Result<Expr, String> {
        let property = if let Some(p) = TEXT_PROPERTIES.iter().find(|p| **p == name) {
            Property::Text(p)
        } else if let Some(p) = TIME_PROPERTIES.iter().find(|p| **p == name) {
            Property::Time(p)
        } else {
            return Err(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.security.alert'"
            ));
        };
        let op = match self.next() {
            Some(Token::Word(op)) => match op.as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                other => return Err(format!("unknown operator '{other}'")),
            },
            other => return Err(format!("expected an operator after {name}, found {other:?}")),
        };
        let literal = match (property, self.next()) {
            (Property::Text(_), Some(Token::Quoted(text))) if matches!(op, Op::Eq | Op::Ne) => {
                Literal::Text(text)
            }
            (Property::Text(_), Some(Token::Quoted(_))) => {
                return Err(format!("operator on {name} is not supported; use eq or ne"));
            }
            (Property::Time(_), Some(Token::Word(time))) => Literal::Time(
                time.parse().map_err(|_| format!("'{time}' is not a valid DateTimeOffset for {name}"))?,
            ),
            (Property::Time(_), Some(Token::Quoted(time))) => {
                return Err(format!(
                    "A binary operator with incompatible types was detected: '{time}' is a string literal, \
                     {name} is Edm.DateTimeOffset (write date-times unquoted)"
                ));
            }
            (Property::Text(_), other) => {
                return Err(format!("expected a string literal for {name}, found {other:?}"));
            }
            (Property::Time(_), other) => {
                return Err(format!("expected a date-time for {name}, found {other:?}"));
            }
        };
        Ok(Expr::Compare { property, op, literal })
    }
}

impl Expr {
    /// Whether `alert` satisfies the filter. A missing or unreadable value matches only `ne`.
    pub(crate) fn matches(&self, alert: &Value) -> bool {
        match self {
            Expr::And(a, b) => a.matches(alert) && b.matches(alert),
            Expr::Or(a, b) => a.matches(alert) || b.matches(alert),
            Expr::Compare { property, op, literal } => match (property, literal) {
                (Property::Text(name), Literal::Text(wanted)) => {
                    let value = alert.get(*name).and_then(Value::as_str);
                    match op {
                        Op::Eq => value == Some(wanted.as_str()),
                        _ => value != Some(wanted.as_str()),
                    }
                }
                (Property::Time(name), Literal::Time(bound)) => {
                    let Some(value) =
                        alert.get(*name).and_then(Value::as_str).and_then(|t| t.parse::<Timestamp>().ok())
                    else {
                        return *op == Op::Ne;
                    };
                    match op {
                        Op::Eq => value == *bound,
                        Op::Ne => value != *bound,
                        Op::Gt => value > *bound,
                        Op::Ge => value >= *bound,
                        Op::Lt => value < *bound,
                        Op::Le => value <= *bound,
                    }
                }
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(filter: &str, alert: Value, expected: bool) {
        let expr = parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        assert_eq!(expr.matches(&alert), expected, "{filter} on {alert}");
    }

    #[test]
    fn filters() {
        let alert = json!({
            "serviceSource": "microsoftDefenderForCloudApps",
            "status": "new",
            "assignedTo": "o'brien",
            "createdDateTime": "2026-11-30T08:14:22.1234567Z",
        });
        check("serviceSource eq 'microsoftDefenderForCloudApps'", alert.clone(), true);
        check("serviceSource eq 'microsoftDefenderForIdentity'", alert.clone(), false);
        check("assignedTo eq 'o''brien'", alert.clone(), true);
        check("createdDateTime ge 2026-11-30T08:14:22.1234567Z", alert.clone(), true);
        check("createdDateTime gt 2026-11-30T08:14:22.1234567Z", alert.clone(), false);
        check("createdDateTime lt 2026-12-01T00:00:00Z and status eq 'new'", alert.clone(), true);
        check(
            "status eq 'resolved' or (status eq 'new' and createdDateTime le 2026-11-30T09:00:00Z)",
            alert.clone(),
            true,
        );
        check("lastUpdateDateTime ge 2026-01-01T00:00:00Z", alert.clone(), false);
        check("lastUpdateDateTime ne 2026-01-01T00:00:00Z", alert, true);
    }

    #[test]
    fn errors() {
        for bad in [
            "title eq 'x'",
            "status eq new",
            "status gt 'new'",
            "createdDateTime ge '2026-11-30T00:00:00Z'",
            "createdDateTime ge yesterday",
            "status eq 'new' and",
            "(status eq 'new'",
            "status eq 'new') ",
            "status eq 'new",
            "status",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}

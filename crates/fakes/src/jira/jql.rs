//! The subset of JQL the fake Jira understands, parsed without ever panicking.
//!
//! Supported: clauses joined by `AND` (any case): `project = X`, `labels = x`,
//! `labels in (a, b)`, `key = K`, `key in (K-1, K-2)` (`issuekey` too), `statusCategory = X`
//! and `statusCategory != X` (by name, key or id), then an optional
//! `ORDER BY created|key|id|updated [ASC|DESC]`. Values are bare words or strings in double or
//! single quotes with `\"`, `\'`, `\\`, `\n`, `\t`, `\r`, `\ ` and `\uXXXX` escapes. Anything else
//! is an error with a message in Jira's style, which the server answers with `400`.

/// The status categories of the fake's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusCategory {
    /// "To Do" (key `new`, id 2).
    ToDo,
    /// "In Progress" (key `indeterminate`, id 4).
    InProgress,
    /// "Done" (key `done`, id 3).
    Done,
}

impl StatusCategory {
    /// The category's display name.
    pub fn name(self) -> &'static str {
        match self {
            StatusCategory::ToDo => "To Do",
            StatusCategory::InProgress => "In Progress",
            StatusCategory::Done => "Done",
        }
    }

    /// The category's key (`new`, `indeterminate`, `done`).
    pub fn key(self) -> &'static str {
        match self {
            StatusCategory::ToDo => "new",
            StatusCategory::InProgress => "indeterminate",
            StatusCategory::Done => "done",
        }
    }

    /// The category's id.
    pub fn id(self) -> u32 {
        match self {
            StatusCategory::ToDo => 2,
            StatusCategory::InProgress => 4,
            StatusCategory::Done => 3,
        }
    }

    pub(crate) fn color(self) -> &'static str {
        match self {
            StatusCategory::ToDo => "blue-gray",
            StatusCategory::InProgress => "yellow",
            StatusCategory::Done => "green",
        }
    }

    fn parse(value: &str) -> Option<StatusCategory> {
        [StatusCategory::ToDo, StatusCategory::InProgress, StatusCategory::Done].into_iter().find(|c| {
            value.eq_ignore_ascii_case(c.name())
                || value.eq_ignore_ascii_case(c.key())
                || value == c.id().to_string()
        })
    }
}

/// One supported clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Clause {
    Project(String),
    Labels(Vec<String>),
    Keys(Vec<String>),
    StatusCategory { category: StatusCategory, negated: bool },
}

/// What an `ORDER BY` sorts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderField {
    /// Creation order, which is also id and key number order in the fake.
    Created,
    Updated,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) clauses: Vec<Clause>,
    pub(crate) order: Option<(OrderField, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Eq,
    NotEq,
    Open,
    Close,
    Comma,
    Other(char),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) => w.clone(),
            Token::Quoted(q) => format!("\"{q}\""),
            Token::Eq => "=".to_owned(),
            Token::NotEq => "!=".to_owned(),
            Token::Open => "(".to_owned(),
            Token::Close => ")".to_owned(),
            Token::Comma => ",".to_owned(),
            Token::Other(c) => c.to_string(),
        }
    }
}

fn jql_error(message: impl std::fmt::Display) -> String {
    format!("Error in the JQL Query: {message}")
}

/// Characters that end a bare word.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | ',' | '=' | '!' | '"' | '\'' | '<' | '>' | '~')
}

/// Four hex digits of a `\u` escape.
fn hex4(chars: &mut impl Iterator<Item = (usize, char)>) -> Option<u32> {
    let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
    if hex.len() == 4 { u32::from_str_radix(&hex, 16).ok() } else { None }
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().enumerate().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            ',' => tokens.push(Token::Comma),
            '=' => tokens.push(Token::Eq),
            '!' => match chars.next() {
                Some((_, '=')) => tokens.push(Token::NotEq),
                Some((_, '~')) | None | Some(_) => {
                    return Err(jql_error(format!(
                        "The operator '!' is not supported (line 1, character {}).",
                        at + 1
                    )));
                }
            },
            '"' | '\'' => {
                let quote = c;
                let mut value = String::new();
                loop {
                    match chars.next() {
                        None => {
                            return Err(jql_error(format!(
                                "The quoted string starting at character {} is not terminated.",
                                at + 1
                            )));
                        }
                        Some((_, ch)) if ch == quote => break,
                        Some((pos, '\\')) => match chars.next() {
                            Some((_, '"')) => value.push('"'),
                            Some((_, '\'')) => value.push('\''),
                            Some((_, '\\')) => value.push('\\'),
                            Some((_, ' ')) => value.push(' '),
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, 't')) => value.push('\t'),
                            Some((_, 'r')) => value.push('\r'),
                            Some((_, 'u')) => {
                                let decoded = match hex4(&mut chars) {
                                    // A character beyond the BMP comes as a UTF-16 surrogate pair.
                                    Some(high @ 0xD800..=0xDBFF) => {
                                        let low = match (chars.next(), chars.next()) {
                                            (Some((_, '\\')), Some((_, 'u'))) => hex4(&mut chars),
                                            _ => None,
                                        };
                                        low.filter(|low| (0xDC00..=0xDFFF).contains(low)).and_then(|low| {
                                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                                        })
                                    }
                                    Some(code) => char::from_u32(code),
                                    None => None,
                                };
                                match decoded {
                                    Some(ch) => value.push(ch),
                                    None => {
                                        return Err(jql_error(format!(
                                            "Illegal '\\u' escape sequence (line 1, character {}).",
                                            pos + 1
                                        )));
                                    }
                                }
                            }
                            Some((_, other)) => {
                                return Err(jql_error(format!(
                                    "'\\{other}' is an illegal JQL escape sequence (line 1, character {}).",
                                    pos + 1
                                )));
                            }
                            None => return Err(jql_error("The quoted string is not terminated.")),
                        },
                        Some((_, ch)) => value.push(ch),
                    }
                }
                tokens.push(Token::Quoted(value));
            }
            c if is_delimiter(c) => tokens.push(Token::Other(c)),
            c => {
                let mut word = String::from(c);
                while let Some((_, next)) = chars.peek() {
                    if is_delimiter(*next) {
                        break;
                    }
                    word.push(*next);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: std::vec::IntoIter<Token>,
    peeked: Option<Token>,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        self.peeked.take().or_else(|| self.tokens.next())
    }

    fn peek(&mut self) -> Option<&Token> {
        if self.peeked.is_none() {
            self.peeked = self.tokens.next();
        }
        self.peeked.as_ref()
    }

    fn word_is(&mut self, expected: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(expected))
    }

    fn value(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Word(w)) if !is_reserved(&w) => Ok(w),
            Some(Token::Quoted(q)) => Ok(q),
            Some(other) => Err(jql_error(format!(
                "Expecting either a value, list or function but got '{}'.",
                other.describe()
            ))),
            None => Err(jql_error("Expecting either a value, list or function but got end of query.")),
        }
    }

    fn list(&mut self) -> Result<Vec<String>, String> {
        match self.next() {
            Some(Token::Open) => {}
            Some(other) => return Err(jql_error(format!("Expecting '(' but got '{}'.", other.describe()))),
            None => return Err(jql_error("Expecting '(' but got end of query.")),
        }
        let mut values = Vec::new();
        loop {
            values.push(self.value()?);
            match self.next() {
                Some(Token::Comma) => {}
                Some(Token::Close) => return Ok(values),
                Some(other) => {
                    return Err(jql_error(format!("Expecting ',' or ')' but got '{}'.", other.describe())));
                }
                None => return Err(jql_error("Expecting ',' or ')' but got end of query.")),
            }
        }
    }

    /// `=` or `in`, returning the values.
    fn eq_or_in(&mut self, field: &str) -> Result<Vec<String>, String> {
        match self.next() {
            Some(Token::Eq) => Ok(vec![self.value()?]),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("in") => self.list(),
            Some(other) => Err(jql_error(format!(
                "The operator '{}' is not supported by the '{field}' field.",
                other.describe()
            ))),
            None => Err(jql_error("Expecting operator but got end of query.")),
        }
    }

    fn clause(&mut self) -> Result<Clause, String> {
        let field = match self.next() {
            Some(Token::Word(w)) if !is_reserved(&w) => w,
            Some(Token::Quoted(q)) => q,
            Some(Token::Open) => return Err(jql_error("Parentheses are not supported by this fake server.")),
            Some(other) => {
                return Err(jql_error(format!("Expecting a field name but got '{}'.", other.describe())));
            }
            None => return Err(jql_error("Expecting a field name but got end of query.")),
        };
        match field.to_ascii_lowercase().as_str() {
            "project" => match self.next() {
                Some(Token::Eq) => Ok(Clause::Project(self.value()?)),
                Some(other) => Err(jql_error(format!(
                    "The operator '{}' is not supported by the 'project' field in this fake server.",
                    other.describe()
                ))),
                None => Err(jql_error("Expecting operator but got end of query.")),
            },
            "labels" => Ok(Clause::Labels(self.eq_or_in("labels")?)),
            "key" | "issuekey" => {
                let keys = self.eq_or_in("key")?;
                if let Some(bad) = keys.iter().find(|k| !is_issue_key(k)) {
                    return Err(jql_error(format!("The issue key '{bad}' for field 'key' is invalid.")));
                }
                Ok(Clause::Keys(keys.into_iter().map(|k| k.to_ascii_uppercase()).collect()))
            }
            "statuscategory" => {
                let negated = match self.next() {
                    Some(Token::Eq) => false,
                    Some(Token::NotEq) => true,
                    Some(other) => {
                        return Err(jql_error(format!(
                            "The operator '{}' is not supported by the 'statusCategory' field in this fake server.",
                            other.describe()
                        )));
                    }
                    None => return Err(jql_error("Expecting operator but got end of query.")),
                };
                let value = self.value()?;
                let category = StatusCategory::parse(&value).ok_or_else(|| {
                    jql_error(format!("The value '{value}' does not exist for the field 'statusCategory'."))
                })?;
                Ok(Clause::StatusCategory { category, negated })
            }
            _ => Err(format!("Field '{field}' does not exist or you do not have permission to view it.")),
        }
    }

    fn order(&mut self) -> Result<(OrderField, bool), String> {
        // "ORDER" has been consumed.
        if !self.word_is("by") {
            return Err(jql_error("Expecting 'BY' after 'ORDER'."));
        }
        self.next();
        let field = match self.next() {
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "created" | "key" | "issuekey" | "id" => OrderField::Created,
                "updated" => OrderField::Updated,
                _ => {
                    return Err(jql_error(format!(
                        "Ordering by '{w}' is not supported by this fake server."
                    )));
                }
            },
            Some(other) => {
                return Err(jql_error(format!("Expecting a field name but got '{}'.", other.describe())));
            }
            None => return Err(jql_error("Expecting a field name but got end of query.")),
        };
        let ascending = match self.next() {
            None => false,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("asc") => true,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("desc") => false,
            Some(other) => {
                return Err(jql_error(format!("Expecting 'ASC' or 'DESC' but got '{}'.", other.describe())));
            }
        };
        match self.next() {
            None => Ok((field, ascending)),
            Some(other) => Err(jql_error(format!(
                "Only one sort field is supported by this fake server, got '{}'.",
                other.describe()
            ))),
        }
    }
}

/// Words that cannot be bare values or field names.
fn is_reserved(word: &str) -> bool {
    ["and", "or", "not", "in", "is", "order", "by", "empty", "null", "was", "changed"]
        .iter()
        .any(|r| word.eq_ignore_ascii_case(r))
}

/// `PROJ-123`: a project key (letters, digits, underscores, starting with a letter), a dash and a
/// positive number.
pub(crate) fn is_issue_key(key: &str) -> bool {
    let Some((project, number)) = key.rsplit_once('-') else { return false };
    project.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && project.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !number.is_empty()
        && number.len() <= 18
        && number.chars().all(|c| c.is_ascii_digit())
}

/// Parses a query of the supported subset.
pub(crate) fn parse(input: &str) -> Result<Query, String> {
    let mut parser = Parser { tokens: tokenize(input)?.into_iter(), peeked: None };
    let mut clauses = Vec::new();
    let mut order = None;
    if parser.peek().is_none() {
        return Ok(Query { clauses, order });
    }
    if parser.word_is("order") {
        parser.next();
        order = Some(parser.order()?);
        return Ok(Query { clauses, order });
    }
    loop {
        clauses.push(parser.clause()?);
        match parser.next() {
            None => break,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("and") => {}
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("order") => {
                order = Some(parser.order()?);
                break;
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("or") => {
                return Err(jql_error("'OR' is not supported by this fake server."));
            }
            Some(other) => {
                return Err(jql_error(format!(
                    "Expecting 'AND', 'OR' or 'ORDER BY' but got '{}'.",
                    other.describe()
                )));
            }
        }
    }
    Ok(Query { clauses, order })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn ok(input: &str, clauses: &[Clause]) {
        match parse(input) {
            Ok(query) => assert_eq!(query.clauses, clauses, "{input}"),
            Err(error) => panic!("{input}: {error}"),
        }
    }

    #[track_caller]
    fn bad(input: &str) {
        assert!(parse(input).is_err(), "{input} should be rejected");
    }

    fn labels(values: &[&str]) -> Clause {
        Clause::Labels(values.iter().map(|v| (*v).to_owned()).collect())
    }

    #[test]
    fn supported_clauses() {
        ok("", &[]);
        ok("project = SEC", &[Clause::Project("SEC".into())]);
        ok(
            r#"project = "SEC" AND labels = "mcas-5f06""#,
            &[Clause::Project("SEC".into()), labels(&["mcas-5f06"])],
        );
        ok("labels in (a, \"b c\", 'd')", &[labels(&["a", "b c", "d"])]);
        ok(r#"labels = "a\"b\\c""#, &[labels(&["a\"b\\c"])]);
        ok(r#"labels = "\u0041""#, &[labels(&["A"])]);
        ok(r#"labels = "\udb40\udc41""#, &[labels(&["\u{E0041}"])]);
        ok("key in (SEC-1,sec-2)", &[Clause::Keys(vec!["SEC-1".into(), "SEC-2".into()])]);
        ok(
            "statusCategory != Done and statusCategory = \"To Do\"",
            &[
                Clause::StatusCategory { category: StatusCategory::Done, negated: true },
                Clause::StatusCategory { category: StatusCategory::ToDo, negated: false },
            ],
        );
        ok("labels = x ORDER BY created ASC", &[labels(&["x"])]);
        ok("ORDER BY key", &[]);
    }

    #[test]
    fn unsupported_or_malformed() {
        for input in [
            "labels = x OR labels = y",
            "(labels = x)",
            "summary ~ foo",
            "labels != x",
            "labels in ()",
            "labels in (a,",
            "labels in (a b)",
            "labels = ",
            "labels",
            "= x",
            "labels = \"unterminated",
            "labels = \"bad \\q escape\"",
            "labels = \"\\u12\"",
            "labels = \"\\ud800\"",
            "labels = \"\\udc00\"",
            "key = notakey",
            "key in (SEC-1, 12)",
            "statusCategory = Nope",
            "project in (SEC)",
            "labels = x AND",
            "labels = x ORDER BY summary",
            "labels = x ORDER created",
            "labels = x ORDER BY created ASC, key",
            "labels = and",
            "!",
            "labels = x !~ y",
        ] {
            bad(input);
        }
    }

    #[test]
    fn random_input_never_panics() {
        // Fragments that stress the tokenizer and the parser in random orders.
        const PIECES: [&str; 24] = [
            "labels",
            "key",
            "project",
            "statusCategory",
            " = ",
            " != ",
            " in ",
            "(",
            ")",
            ",",
            " AND ",
            " OR ",
            "\"",
            "'",
            "\\",
            "\\u",
            "d83d",
            "SEC-1",
            "Done",
            " ORDER BY ",
            "created",
            " DESC",
            "é\u{202e}",
            "\u{0}",
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..20_000 {
            let len = rng.usize(0..12);
            let input: String = (0..len).map(|_| PIECES[rng.usize(0..PIECES.len())]).collect();
            let _ = parse(&input);
        }
    }
}

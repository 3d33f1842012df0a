//! What turning a typical alert ticket into its Jira Cloud create request costs, without any
//! I/O:
//!
//! - **description**: the description as ADF JSON text, cut to Jira's limit
//!   (`to_adf_json_limited(DESCRIPTION_MAX_LEN)`);
//! - **request**: the whole create body as the text sent (`to_request_json(Cloud)`);
//! - **request value**: the same body as a `serde_json::Value` (`to_request_body(Cloud)`, the
//!   text parsed), for callers that still want one, dropped as they would drop it;
//! - **cut**: the description path for two huge documents that must be cut to the limit (a
//!   100,000-character code block, and 100 paragraphs of 1,000 characters), the slow path.
//!
//! The typical ticket is what alert-mapping builds for an alert: a facts table of 11 rows (bold
//! key, plain value; one value a link, one an inline-code id, one three lines with hard breaks),
//! a level-3 heading, about 600 characters of description with line breaks, another heading, a
//! bullet list of 5 entities (bold kind, then text), a two-line rich-text custom field, 3 labels
//! and a priority.
//!
//! `cargo bench -p jira-client --bench render` runs criterion. To count instructions instead of
//! time, which a loaded machine does not disturb, skip criterion with a filter that matches
//! nothing, have the bench call each measured function `RENDER_BENCH_ROUNDS` times, and collect
//! only inside one of them (`render_description`, `render_request`, `render_body_value`,
//! `render_cut`):
//!
//! ```sh
//! RENDER_BENCH_ROUNDS=1000 valgrind --tool=callgrind --callgrind-out-file=/tmp/render.cg \
//!     --collect-atstart=no --toggle-collect='*render_request*' \
//!     target/release/deps/render-<hash> --bench none
//! callgrind_annotate /tmp/render.cg | head
//! ```
//!
//! then divide the instructions by the rounds (by twice a hundredth of them for `render_cut`,
//! which cuts each of the two huge documents once per 100 rounds).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jira_client::richtext::{Block, DESCRIPTION_MAX_LEN, Document, Inline, Table};
use jira_client::{Deployment, Label, NameOrId, NewIssue, ProjectRef};

const ALERT_ID: &str = "5f0c1e2d3a4b5c6d7e8f9a0b";

/// About 600 characters of alert description, over four lines.
const DESCRIPTION: &str = "The user alice@contoso.com signed in from Amsterdam, Netherlands \
(203.0.113.7) and, 38 minutes later, from Singapore (198.51.100.23). The two places are 10,500 \
km apart: nobody can travel between them in that time, so one of the sign-ins is probably not \
the user's.\nBoth sign-ins used valid credentials and passed multi-factor authentication; the \
second one came from a hosting provider's network that other tenants have reported for \
password spraying.\nThe first sign-in matches the user's usual devices and location.\nReview \
the user's recent activity, reset the password and revoke the sessions if the second sign-in \
is not confirmed.";

fn description() -> Document {
    let url = format!("https://contoso.us3.portal.cloudappsecurity.com/#/alerts/{ALERT_ID}");
    let users = vec![
        Inline::text("alice@contoso.com"),
        Inline::HardBreak,
        Inline::text("alice.admin@contoso.com"),
        Inline::HardBreak,
        Inline::text("svc-sync@contoso.com"),
    ];
    let table = Table::default()
        .fact("Tenant", vec![Inline::text("contoso")])
        .fact("Severity", vec![Inline::text("High")])
        .fact("Time (UTC)", vec![Inline::text("2024-06-03 07:59:12")])
        .fact("Alert", vec![Inline::link("Open the alert in Defender for Cloud Apps", url)])
        .fact("Alert id", vec![Inline::code(ALERT_ID)])
        .fact("Policy", vec![Inline::text("Impossible travel activity")])
        .fact("Threat score", vec![Inline::text("78")])
        .fact("Users", users)
        .fact("Locations", vec![Inline::text("Amsterdam, Netherlands; Singapore, Singapore")])
        .fact("Applications", vec![Inline::text("Microsoft Exchange Online")])
        .fact("Category", vec![Inline::text("Threat detection")]);
    let entity = |kind: &str, text: &str| vec![Inline::strong(kind), Inline::text(text)];
    Document::new()
        .table(table)
        .heading(3, "Description")
        .text_paragraph(DESCRIPTION)
        .heading(3, "Entities")
        .bullet_list([
            entity("User", ": alice@contoso.com (Alice Example)"),
            entity("IP address", ": 203.0.113.7 (Amsterdam, Netherlands)"),
            entity("IP address", ": 198.51.100.23 (Singapore, Singapore)"),
            entity("Application", ": Microsoft Exchange Online"),
            entity("Location", ": Singapore, Singapore"),
        ])
}

fn ticket() -> NewIssue {
    let reputation = Document::new().text_paragraph(
        "203.0.113.7: score 87, NL, Example Hosting B.V., 12 reports by 5 users\n\
         198.51.100.23: score 12, SG, Example Telecom Pte. Ltd., 1 report by 1 user",
    );
    NewIssue::new(
        ProjectRef::key("SEC"),
        NameOrId::name("Task"),
        "Impossible travel activity: alice@contoso.com",
    )
    .description(description())
    .priority(NameOrId::name("High"))
    .labels(
        ["mcas", "mcas-5f0c1e2d3a4b5c6d7e8f9a0b", "bad-ip"]
            .map(|label| Label::new(label).expect("a valid label")),
    )
    .field_document("customfield_10108", reputation)
}

/// Documents too long for Jira, cut on the way.
fn huge_documents() -> Vec<Document> {
    let code = Document::new().heading(2, "Alert").code_block(None, "0123456789".repeat(10_000));
    let paragraph = "p".repeat(1_000);
    let paragraphs: Document = (0..100).map(|_| Block::Paragraph(vec![Inline::text(&paragraph)])).collect();
    vec![code, paragraphs]
}

// None is inlined, so that callgrind can count the instructions inside each alone.

/// The description as ADF JSON text, cut to Jira's limit.
#[inline(never)]
fn render_description(doc: &Document) -> String {
    doc.to_adf_json_limited(DESCRIPTION_MAX_LEN)
}

/// The create body as the text sent to Jira Cloud.
#[inline(never)]
fn render_request(issue: &NewIssue) -> String {
    issue.to_request_json(Deployment::Cloud)
}

/// The create body as a `serde_json::Value`, built and dropped.
#[inline(never)]
fn render_body_value(issue: &NewIssue) -> usize {
    let body = issue.to_request_body(Deployment::Cloud);
    body.as_object().map_or(0, serde_json::Map::len)
}

/// The description of a huge document as ADF JSON text, cut to Jira's limit; its length, so
/// that the function differs from `render_description` and is not merged with it.
#[inline(never)]
fn render_cut(doc: &Document) -> usize {
    doc.to_adf_json_limited(DESCRIPTION_MAX_LEN).len()
}

fn bench(c: &mut Criterion) {
    let doc = description();
    let issue = ticket();
    let huge = huge_documents();

    let mut group = c.benchmark_group("ticket");
    group.bench_function("description", |b| b.iter(|| render_description(black_box(&doc))));
    group.bench_function("request", |b| b.iter(|| render_request(black_box(&issue))));
    group.bench_function("request value", |b| b.iter(|| render_body_value(black_box(&issue))));
    group.finish();

    let mut group = c.benchmark_group("cut");
    group.sample_size(20);
    group.bench_function("code block", |b| b.iter(|| render_cut(black_box(&huge[0]))));
    group.bench_function("paragraphs", |b| b.iter(|| render_cut(black_box(&huge[1]))));
    group.finish();

    // Plain calls for callgrind (see the module docs); none by default. One function at a time,
    // so that each is counted in the steady state of its own allocations rather than in the
    // heap another one left behind.
    let rounds: usize = std::env::var("RENDER_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(0);
    if rounds == 0 {
        return;
    }
    for _ in 0..rounds {
        black_box(render_description(black_box(&doc)));
    }
    for _ in 0..rounds {
        black_box(render_request(black_box(&issue)));
    }
    for _ in 0..rounds {
        black_box(render_body_value(black_box(&issue)));
    }
    let cut_rounds = rounds.div_ceil(100);
    for _ in 0..cut_rounds {
        for doc in &huge {
            black_box(render_cut(black_box(doc)));
        }
    }
    println!(
        "{rounds} calls of render_description, render_request and render_body_value, \
         {cut_rounds} of render_cut per huge document"
    );
    println!(
        "description {} bytes, request {} bytes",
        render_description(&doc).len(),
        render_request(&issue).len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

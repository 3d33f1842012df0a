//! `[sync.graph_resolutions]`: derived from `[sync.resolutions]` by default, given whole when
//! written, and an error naming the entry for every mistake.

use graph_security_client::{Classification as C, Determination as D};

use super::{MINIMAL, parse};
use crate::config::GraphResolve;

fn resolve(classification: C, determination: D) -> Option<GraphResolve> {
    Some(GraphResolve { classification, determination })
}

#[test]
fn by_default_a_graph_alert_is_resolved_as_the_mcas_map_closes_one() {
    let sync = parse(MINIMAL).unwrap().0.sync;
    assert_eq!(sync.graph_resolve_for("done"), resolve(C::TruePositive, D::OtherDetermination));
    assert_eq!(
        sync.graph_resolve_for("Won't Do"),
        resolve(C::InformationalExpectedActivity, D::OtherDetermination)
    );
    assert_eq!(sync.graph_resolve_for("Duplicate"), resolve(C::FalsePositive, D::OtherDetermination));
    assert_eq!(sync.graph_resolve_for("Fixed"), None);

    // A customised MCAS map, reasons included, carries over.
    let text = format!(
        "{MINIMAL}\n[sync.resolutions]\n\"Pen test\" = {{ close = \"benign\", reason = \"triggered_by_test\" }}\n\"Noise\" = {{ close = \"false_positive\", reason = \"alert_not_accurate\" }}\n"
    );
    let sync = parse(&text).unwrap().0.sync;
    assert_eq!(
        sync.graph_resolve_for("pen test"),
        resolve(C::InformationalExpectedActivity, D::SecurityTesting)
    );
    assert_eq!(sync.graph_resolve_for("Noise"), resolve(C::FalsePositive, D::NotMalicious));
    assert_eq!(sync.graph_resolve_for("Done"), None);
    // The example writes the table out as the defaults would derive it.
    let example = parse(crate::config::EXAMPLE).unwrap().0.sync;
    for name in ["Done", "Won't Do", "Duplicate", "Cannot Reproduce"] {
        assert_eq!(
            example.graph_resolve_for(name),
            parse(MINIMAL).unwrap().0.sync.graph_resolve_for(name),
            "{name}"
        );
    }
}

#[test]
fn a_graph_resolutions_table_replaces_the_derived_map() {
    let text = format!(
        "{MINIMAL}\n[sync.graph_resolutions]\n\"Done\" = {{ classification = \"truePositive\", determination = \"compromisedAccount\" }}\n\"Not a bug\" = \"falsePositive\"\n"
    );
    let sync = parse(&text).unwrap().0.sync;
    assert_eq!(sync.graph_resolve_for(" done "), resolve(C::TruePositive, D::CompromisedAccount));
    assert_eq!(sync.graph_resolve_for("not a bug"), resolve(C::FalsePositive, D::OtherDetermination));
    assert_eq!(sync.graph_resolve_for("Won't Do"), None);
    assert_eq!(
        GraphResolve { classification: C::InformationalExpectedActivity, determination: D::Apt }.kind(),
        "benign"
    );
}

#[test]
fn mistakes_name_the_entry() {
    for (entry, expected) in [
        (
            "\"Done\" = \"unknown\"",
            "sync.graph_resolutions.Done.classification: unknown classification \"unknown\"",
        ),
        (
            "\"Done\" = \"benign\"",
            "sync.graph_resolutions.Done.classification: unknown classification \"benign\"",
        ),
        (
            "\"Done\" = { classification = \"truePositive\", determination = \"clean\" }",
            "sync.graph_resolutions.Done.determination: unknown determination \"clean\"",
        ),
        ("\"Done\" = { determination = \"other\" }", "sync.graph_resolutions.Done.classification: missing"),
        (
            "\"Done\" = { classification = \"truePositive\", reason = \"x\" }",
            "sync.graph_resolutions.Done.reason: unknown key",
        ),
        ("\"Done\" = 3", "sync.graph_resolutions.Done: expected a classification"),
        ("\"done\" = \"truePositive\"\n\"Done\" = \"falsePositive\"", "the same resolution is named twice"),
    ] {
        let text = format!("{MINIMAL}\n[sync.graph_resolutions]\n{entry}\n");
        let err = parse(&text).err().unwrap_or_else(|| panic!("accepted: {entry}")).to_string();
        assert!(err.contains(expected), "{entry}: {err}");
    }
}

//! The fake Jira's metadata answers: server info, the current user, fields, the project,
//! priorities, create metadata and statuses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::issues::{COMPONENT_ID_BASE, ISSUE_TYPE_ID_BASE, PRIORITY_ID_BASE, PROJECT_ID, Problems};
use super::jql::StatusCategory;
use super::{Deployment, FakeJiraOptions};

pub(super) fn status(base: &str, category: StatusCategory) -> Value {
    let (id, name) = match category {
        StatusCategory::ToDo => ("10000", "To Do"),
        StatusCategory::InProgress => ("3", "In Progress"),
        StatusCategory::Done => ("10001", "Done"),
    };
    json!({
        "self": format!("{base}/status/{id}"),
        "id": id,
        "name": name,
        "description": "",
        "statusCategory": {
            "self": format!("{base}/statuscategory/{}", category.id()),
            "id": category.id(),
            "key": category.key(),
            "colorName": category.color(),
            "name": category.name(),
        },
    })
}

pub(super) fn server_info(options: &FakeJiraOptions, base: &str) -> Value {
    let root = base.split("/rest/").next().unwrap_or(base);
    let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string();
    let (version, numbers, deployment) = match options.deployment {
        Deployment::Cloud => ("1001.0.0-SNAPSHOT", json!([1001, 0, 0]), "Cloud"),
        Deployment::Server => ("9.12.2", json!([9, 12, 2]), "Server"),
    };
    json!({
        "baseUrl": root,
        "displayUrl": root,
        "version": version,
        "versionNumbers": numbers,
        "deploymentType": deployment,
        "buildNumber": 100_265,
        "buildDate": "2025-01-01T00:00:00.000+0000",
        "serverTime": now,
        "scmInfo": "1f51473f5c7b75c1a69a0090f4832cdc5053702a",
        "serverTitle": "Jira (fake)",
    })
}

pub(super) fn myself(options: &FakeJiraOptions, base: &str) -> Value {
    match options.deployment {
        Deployment::Cloud => json!({
            "self": format!("{base}/user?accountId=5b10a2844c20165700ede21g"),
            "accountId": "5b10a2844c20165700ede21g",
            "accountType": "atlassian",
            "emailAddress": options.user,
            "displayName": "SecOps automation",
            "active": true,
            "timeZone": "Etc/UTC",
            "locale": "en_US",
        }),
        Deployment::Server => json!({
            "self": format!("{base}/user?username={}", options.user),
            "key": "JIRAUSER10000",
            "name": options.user,
            "emailAddress": options.user,
            "displayName": "SecOps automation",
            "active": true,
            "timeZone": "Etc/UTC",
        }),
    }
}

fn system_field(id: &str, name: &str, schema: Value, navigable: bool) -> Value {
    json!({
        "id": id,
        "key": id,
        "name": name,
        "custom": false,
        "orderable": true,
        "navigable": navigable,
        "searchable": true,
        "clauseNames": [id],
        "schema": schema,
    })
}

fn custom_schema(kind: super::FieldKind, id: &str) -> Value {
    let custom_id: u64 = id.trim_start_matches("customfield_").parse().unwrap_or(0);
    json!({ "type": "string", "custom": kind.custom_type(), "customId": custom_id })
}

pub(super) fn fields(options: &FakeJiraOptions) -> Value {
    let mut list = vec![
        system_field("summary", "Summary", json!({"type": "string", "system": "summary"}), true),
        system_field("description", "Description", json!({"type": "string", "system": "description"}), true),
        system_field("issuetype", "Issue Type", json!({"type": "issuetype", "system": "issuetype"}), true),
        system_field("project", "Project", json!({"type": "project", "system": "project"}), true),
        system_field("priority", "Priority", json!({"type": "priority", "system": "priority"}), true),
        system_field(
            "labels",
            "Labels",
            json!({"type": "array", "items": "string", "system": "labels"}),
            true,
        ),
        system_field(
            "components",
            "Components",
            json!({"type": "array", "items": "component", "system": "components"}),
            true,
        ),
        system_field("status", "Status", json!({"type": "status", "system": "status"}), true),
        system_field("resolution", "Resolution", json!({"type": "resolution", "system": "resolution"}), true),
        system_field("created", "Created", json!({"type": "datetime", "system": "created"}), true),
        system_field("updated", "Updated", json!({"type": "datetime", "system": "updated"}), true),
        system_field(
            "resolutiondate",
            "Resolved",
            json!({"type": "datetime", "system": "resolutiondate"}),
            true,
        ),
        system_field("comment", "Comment", json!({"type": "comments-page", "system": "comment"}), false),
    ];
    for custom in &options.custom_fields {
        let number = custom.id.trim_start_matches("customfield_");
        list.push(json!({
            "id": custom.id,
            "key": custom.id,
            "name": custom.name,
            "custom": true,
            "orderable": true,
            "navigable": true,
            "searchable": true,
            "clauseNames": [format!("cf[{number}]"), custom.name],
            "schema": custom_schema(custom.kind, &custom.id),
        }));
    }
    Value::Array(list)
}

fn issue_types_json(options: &FakeJiraOptions, base: &str) -> Vec<Value> {
    options
        .issue_types
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = ISSUE_TYPE_ID_BASE + i as u64;
            json!({
                "self": format!("{base}/issuetype/{id}"),
                "id": id.to_string(),
                "name": name,
                "description": format!("A {}.", name.to_lowercase()),
                "iconUrl": format!("{base}/universal_avatar/view/type/issuetype/avatar/{id}"),
                "subtask": false,
            })
        })
        .collect()
}

fn components_json(options: &FakeJiraOptions, base: &str) -> Vec<Value> {
    options
        .components
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = COMPONENT_ID_BASE + i as u64;
            json!({ "self": format!("{base}/component/{id}"), "id": id.to_string(), "name": name })
        })
        .collect()
}

fn is_project(options: &FakeJiraOptions, key: &str) -> bool {
    key.eq_ignore_ascii_case(&options.project) || key == PROJECT_ID.to_string()
}

pub(super) fn project(options: &FakeJiraOptions, base: &str, key: &str) -> Option<Value> {
    is_project(options, key).then(|| {
        json!({
            "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
            "self": format!("{base}/project/{PROJECT_ID}"),
            "id": PROJECT_ID.to_string(),
            "key": options.project,
            "name": options.project_name,
            "projectTypeKey": "software",
            "simplified": false,
            "style": "classic",
            "issueTypes": issue_types_json(options, base),
            "components": components_json(options, base),
        })
    })
}

pub(super) fn priorities(options: &FakeJiraOptions, base: &str) -> Value {
    const COLORS: [&str; 5] = ["#d04437", "#f15c75", "#f79232", "#707070", "#999999"];
    let list: Vec<Value> = options
        .priorities
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = PRIORITY_ID_BASE + i as u64;
            json!({
                "self": format!("{base}/priority/{id}"),
                "statusColor": COLORS.get(i).copied().unwrap_or("#999999"),
                "description": format!("{name} priority."),
                "iconUrl": format!("{base}/images/icons/priorities/{}.svg", name.to_lowercase()),
                "name": name,
                "id": id.to_string(),
            })
        })
        .collect();
    Value::Array(list)
}

/// One page of `items`, in Cloud's shape (`key` holds the list) or Server's (`values`, `isLast`).
fn page(options: &FakeJiraOptions, key: &str, items: Vec<Value>, params: &[(String, String)]) -> Value {
    let get = |name: &str| params.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<usize>().ok());
    let start = get("startAt").unwrap_or(0);
    let max = get("maxResults").unwrap_or(50).min(200);
    let total = items.len();
    let values: Vec<Value> = items.into_iter().skip(start).take(max).collect();
    match options.deployment {
        Deployment::Cloud => json!({ key: values, "maxResults": max, "startAt": start, "total": total }),
        Deployment::Server => {
            json!({ "values": values, "maxResults": max, "startAt": start, "total": total, "isLast": start.saturating_add(max) >= total })
        }
    }
}

fn no_project(key: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(Problems::message(format!("No project could be found with key '{key}'.")).to_json()),
    )
        .into_response()
}

pub(super) fn createmeta_types(
    options: &FakeJiraOptions,
    base: &str,
    project: &str,
    params: &[(String, String)],
) -> Response {
    if !is_project(options, project) {
        return no_project(project);
    }
    axum::Json(page(options, "issueTypes", issue_types_json(options, base), params)).into_response()
}

fn meta_field(
    id: &str,
    name: &str,
    required: bool,
    schema: Value,
    operations: &[&str],
    allowed: Option<Vec<Value>>,
) -> Value {
    let mut field = json!({
        "fieldId": id,
        "key": id,
        "name": name,
        "required": required,
        "schema": schema,
        "hasDefaultValue": false,
        "operations": operations,
    });
    if let (Some(allowed), Some(map)) = (allowed, field.as_object_mut()) {
        map.insert("allowedValues".to_owned(), Value::Array(allowed));
    }
    field
}

pub(super) fn createmeta_fields(
    options: &FakeJiraOptions,
    base: &str,
    project_key: &str,
    type_id: &str,
    params: &[(String, String)],
) -> Response {
    if !is_project(options, project_key) {
        return no_project(project_key);
    }
    let known =
        (0..options.issue_types.len()).find(|i| (ISSUE_TYPE_ID_BASE + *i as u64).to_string() == type_id);
    let Some(known) = known else {
        let p = Problems::message(format!("The issue type with id '{type_id}' does not exist"));
        return (StatusCode::NOT_FOUND, axum::Json(p.to_json())).into_response();
    };
    let type_name = options.issue_types[known].as_str();
    let required = |id: &str| options.required_fields.iter().any(|r| r == id);
    // The priority scheme's priorities, in the site's order.
    let allowed_priorities: Vec<Value> = priorities(options, base)
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(Value::as_str).is_some_and(|name| options.priority_allowed(name)))
        .cloned()
        .collect();
    let mut list = vec![
        meta_field(
            "summary",
            "Summary",
            true,
            json!({"type": "string", "system": "summary"}),
            &["set"],
            None,
        ),
        meta_field(
            "issuetype",
            "Issue Type",
            true,
            json!({"type": "issuetype", "system": "issuetype"}),
            &[],
            Some(issue_types_json(options, base)),
        ),
        meta_field(
            "project",
            "Project",
            true,
            json!({"type": "project", "system": "project"}),
            &["set"],
            project(options, base, project_key).map(|p| vec![p]),
        ),
        meta_field(
            "description",
            "Description",
            required("description"),
            json!({"type": "string", "system": "description"}),
            &["set"],
            None,
        ),
        meta_field(
            "priority",
            "Priority",
            required("priority"),
            json!({"type": "priority", "system": "priority"}),
            &["set"],
            Some(allowed_priorities),
        ),
        meta_field(
            "labels",
            "Labels",
            required("labels"),
            json!({"type": "array", "items": "string", "system": "labels"}),
            &["add", "set", "remove"],
            None,
        ),
        meta_field(
            "components",
            "Components",
            required("components"),
            json!({"type": "array", "items": "component", "system": "components"}),
            &["add", "set", "remove"],
            Some(components_json(options, base)),
        ),
    ];
    for custom in &options.custom_fields {
        list.push(meta_field(
            &custom.id,
            &custom.name,
            required(&custom.id),
            custom_schema(custom.kind, &custom.id),
            &["set"],
            None,
        ));
    }
    // What the create screen of this issue type lacks is not in its metadata.
    list.retain(|field| {
        let id = field.get("fieldId").and_then(Value::as_str).unwrap_or_default();
        ["summary", "issuetype", "project"].contains(&id) || options.on_screen(type_name, id)
    });
    axum::Json(page(options, "fields", list, params)).into_response()
}

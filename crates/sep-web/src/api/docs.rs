//! `GET /api/docs`: the API's interactive documentation, drawn on the server from the same
//! OpenAPI document as `/api/v1/openapi.json` — every operation with its parameters, scopes, an
//! example body built from its schema and its answers — and a form per operation that sends
//! it from the browser with the reader's token (`assets/apidocs.js`). Written here rather than
//! vendored (Swagger UI, Redoc) because those inject inline styles the portal's CSP refuses
//! (DECISIONS 51); this page needs nothing beyond `'self'`.

use crate::error::Page;
use crate::ui::components::render;
use askama::Template;
use serde_json::Value;

/// A parameter of an operation.
struct Param {
    name: String,
    location: String,
    required: bool,
    description: String,
    kind: String,
}

/// An answer of an operation.
struct Answer {
    status: String,
    description: String,
}

/// An operation.
struct Op {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    scopes: Vec<String>,
    params: Vec<Param>,
    /// An example body, built from the schema (pretty JSON).
    body: Option<String>,
    answers: Vec<Answer>,
}

/// Operations under a tag.
struct Group {
    name: String,
    description: String,
    ops: Vec<Op>,
}

#[derive(Template)]
#[template(path = "api/docs.html")]
struct DocsPage {
    title: String,
    version: String,
    description: String,
    groups: Vec<Group>,
}

/// The schema `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

/// An example value of `schema`: what a request of that shape looks like.
fn example(doc: &Value, schema: &Value, depth: u8) -> Value {
    let schema = resolve(doc, schema);
    if depth > 6 {
        return Value::Null;
    }
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[key].as_array().and_then(|v| v.iter().find(|s| s["type"] != "null")) {
            return example(doc, first, depth + 1);
        }
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "null",
    };
    match kind {
        "object" => {
            let mut out = serde_json::Map::new();
            for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                out.insert(name.clone(), example(doc, prop, depth + 1));
            }
            Value::Object(out)
        }
        "array" => Value::Array(vec![example(doc, &schema["items"], depth + 1)]),
        "string" => Value::String(match schema["format"].as_str() {
            Some("date-time") => "2026-12-01T09:00:00Z".into(),
            Some("date") => "2026-12-01".into(),
            _ => String::new(),
        }),
        "integer" | "number" => Value::from(0),
        "boolean" => Value::Bool(false),
        _ => Value::Null,
    }
}

/// The schema's type, as the table shows it.
fn kind_of(doc: &Value, schema: &Value) -> String {
    let schema = resolve(doc, schema);
    match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => "object".into(),
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_owned()
}

/// The document as groups of operations, in the document's order of tags.
fn groups(doc: &Value) -> Vec<Group> {
    let mut groups: Vec<Group> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| Group { name: text(&t["name"]), description: text(&t["description"]), ops: vec![] })
        .collect();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "patch", "put", "delete"] {
            let op = &item[method];
            if op.is_null() {
                continue;
            }
            let params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| Param {
                    name: text(&p["name"]),
                    location: text(&p["in"]),
                    required: p["required"].as_bool().unwrap_or(false),
                    description: text(&p["description"]),
                    kind: kind_of(doc, &p["schema"]),
                })
                .collect();
            let body = op["requestBody"]["content"]["application/json"]["schema"].as_object().map(|_| {
                let e = example(doc, &op["requestBody"]["content"]["application/json"]["schema"], 0);
                serde_json::to_string_pretty(&e).unwrap_or_default()
            });
            let answers = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, r)| Answer { status: status.clone(), description: text(&r["description"]) })
                .collect();
            let scopes = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["token"].as_array())
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect();
            let tag = op["tags"][0].as_str().unwrap_or("").to_owned();
            let anchor = format!("{method}-{}", path.replace(['/', '{', '}'], "-").trim_matches('-'));
            let new = Op {
                anchor,
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                summary: text(&op["summary"]),
                description: text(&op["description"]),
                scopes,
                params,
                body,
                answers,
            };
            match groups.iter_mut().find(|g| g.name == tag) {
                Some(g) => g.ops.push(new),
                None => groups.push(Group { name: tag, description: String::new(), ops: vec![new] }),
            }
        }
    }
    groups.retain(|g| !g.ops.is_empty());
    groups
}

/// `GET /api/docs`.
pub(crate) async fn page() -> Page {
    let doc = serde_json::to_value(<super::ApiDoc as utoipa::OpenApi>::openapi()).unwrap_or_default();
    render(&DocsPage {
        title: text(&doc["info"]["title"]),
        version: text(&doc["info"]["version"]),
        description: text(&doc["info"]["description"]),
        groups: groups(&doc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_follow_the_schema_through_references() {
        let doc = serde_json::json!({
            "components": { "schemas": {
                "New": { "type": "object", "properties": {
                    "name": { "type": "string" },
                    "when": { "type": ["string", "null"], "format": "date-time" },
                    "kind": { "type": "string", "enum": ["accounting", "bank"] },
                    "tags": { "type": "array", "items": { "type": "integer" } },
                    "on": { "type": "boolean" }
                }}
            }}
        });
        let e = example(&doc, &serde_json::json!({ "$ref": "#/components/schemas/New" }), 0);
        assert_eq!(
            e,
            serde_json::json!({ "name": "", "when": "2026-12-01T09:00:00Z", "kind": "accounting", "tags": [0], "on": false })
        );
    }
}

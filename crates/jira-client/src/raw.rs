//! Requests to any endpoint of the site, for the parts of Jira's large API this crate does not
//! model: the same authentication, retries, error mapping and body cap as the typed calls.

use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::{Body, Bytes, Client, Idempotency, Method};
use crate::{Error, Result};

impl Client {
    /// `GET path` with the query `query`, decoding the JSON answer as `T` (`serde_json::Value`
    /// when no type fits). Retried like the typed reads.
    ///
    /// `path` is relative to the site, with the REST prefix: `/rest/api/3/project/SEC` on Cloud,
    /// `/rest/api/2/...` on Server/Data Center, `/rest/agile/1.0/board` for Jira Software. A
    /// context path of the site URL (`https://jira.example.com/jira`) goes before it. The
    /// request can only go to the site: a path that is not one (`//other.example.com/x`,
    /// `https://...`, dot segments, a `?` or `#`) is refused, so the credentials never reach
    /// another host.
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use serde_json::Value;
    /// let project: Value = jira.get("/rest/api/3/project/SEC", &[("expand", "lead")]).await?;
    /// println!("lead: {}", project["lead"]["displayName"]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a path that is not one of the site; the errors of any call
    /// ([`Error::NotFound`], [`Error::Status`] with Jira's error document, [`Error::Transport`],
    /// [`Error::BodyTooLarge`]...); [`Error::Decode`] when the answer is not a `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T> {
        self.raw(Method::GET, path, query, None).await
    }

    /// `POST path` with `body` as JSON, decoding the answer as `T` (`()` for an empty answer).
    /// Not retried once the request may have reached Jira, since a `POST` may create something
    /// each time; a `429` is retried, since Jira did not act on it. `path` is as for
    /// [`Client::get`].
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use serde_json::{Value, json};
    /// let link = json!({
    ///     "type": { "name": "Relates" },
    ///     "inwardIssue": { "key": "SEC-1" },
    ///     "outwardIssue": { "key": "SEC-2" },
    /// });
    /// let _: () = jira.post("/rest/api/3/issueLink", &link).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::get`], and [`Error::InvalidInput`] for a body that cannot be written as
    /// JSON. When [`Error::outcome_unknown`] is true the request may have taken effect.
    pub async fn post<B, T>(&self, path: &str, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.raw(Method::POST, path, &[], Some(json_body(body)?)).await
    }

    /// `PUT path` with `body` as JSON, decoding the answer as `T` (`()` for an empty answer, as
    /// Jira gives to most edits). Retried like the typed reads, since a `PUT` sets a state.
    /// `path` is as for [`Client::get`].
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// use serde_json::json;
    /// let _: () = jira.put("/rest/api/3/issue/SEC-42/assignee", &json!({ "accountId": null })).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::post`].
    pub async fn put<B, T>(&self, path: &str, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.raw(Method::PUT, path, &[], Some(json_body(body)?)).await
    }

    /// `DELETE path` with the query `query`, decoding the answer as `T` (`()` for an empty
    /// answer). Retried like the typed reads: deleting twice leaves the same state. `path` is as
    /// for [`Client::get`].
    ///
    /// ```no_run
    /// # async fn demo(jira: jira_client::Client) -> jira_client::Result<()> {
    /// let _: () = jira.delete("/rest/api/3/issue/SEC-42", &[("deleteSubtasks", "true")]).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::get`].
    pub async fn delete<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T> {
        self.raw(Method::DELETE, path, query, None).await
    }

    async fn raw<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Bytes>,
    ) -> Result<T> {
        let url = site_url(self.base_url(), path, query)?;
        let idempotency =
            if method == Method::POST { Idempotency::NonIdempotent } else { Idempotency::Idempotent };
        let what = match method {
            Method::GET => "GET request",
            Method::POST => "POST request",
            Method::PUT => "PUT request",
            _ => "DELETE request",
        };
        let body = match body {
            Some(json) => Body::JsonText(json),
            None => Body::Empty,
        };
        let response = self.send(idempotency, method, &url, body).await?;
        let bytes = self.read_bytes(response).await?;
        // An empty answer (`204 No Content`, most edits) reads as JSON `null`: `()` or `None`.
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"null" } else { &bytes };
        serde_json::from_slice(text).map_err(|source| Error::Decode { what, source })
    }
}

fn json_body<B: Serialize + ?Sized>(body: &B) -> Result<Bytes> {
    serde_json::to_vec(body).map(Bytes::from).map_err(|e| Error::invalid("body", e.to_string()))
}

/// The URL of `path` on the site of `base`, with `query`; never another host.
fn site_url(base: &Url, path: &str, query: &[(&str, &str)]) -> Result<Url> {
    let refuse = |reason: &str| Err(Error::invalid("path", format!("{path:?} {reason}")));
    if !path.starts_with('/') || path.starts_with("//") {
        return refuse("is not a path on the site: it must start with a single /");
    }
    if path.contains(['?', '#', '\\']) || path.chars().any(char::is_control) {
        return refuse("holds a ?, #, \\ or control character: give the query as pairs");
    }
    if path.split('/').any(|segment| matches!(segment, "." | "..")) {
        return refuse("holds a . or .. segment");
    }
    let mut url = base.clone();
    let joined = format!("{}{path}", base.path().trim_end_matches('/'));
    url.set_path(&joined);
    url.set_query(None);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    // Setting the path of a copy of the base cannot change its host; checked all the same, since
    // the credentials go wherever this URL points.
    if url.origin() != base.origin() {
        return refuse("leaves the site");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(base: &str, path: &str, query: &[(&str, &str)], expected: Option<&str>) {
        let url = site_url(&base.parse().unwrap(), path, query);
        assert_eq!(url.as_ref().ok().map(Url::as_str), expected, "{path:?}: {url:?}");
    }

    #[test]
    fn paths_stay_on_the_site() {
        let cloud = "https://x.atlassian.net";
        check(cloud, "/rest/api/3/project/SEC", &[], Some("https://x.atlassian.net/rest/api/3/project/SEC"));
        check(
            cloud,
            "/rest/api/3/search/jql",
            &[("jql", "labels = a&b"), ("fields", "key")],
            Some("https://x.atlassian.net/rest/api/3/search/jql?jql=labels+%3D+a%26b&fields=key"),
        );
        check(
            "https://jira.example.com/jira/",
            "/rest/api/2/myself",
            &[],
            Some("https://jira.example.com/jira/rest/api/2/myself"),
        );
        for hostile in [
            "rest/api/3/x",
            "//evil.example.com/rest",
            "https://evil.example.com/",
            "/rest/../../x",
            "/rest/./x",
            "/rest?x=1",
            "/rest#x",
            "/\\evil.example.com",
            "/rest\n/x",
            "",
        ] {
            check(cloud, hostile, &[], None);
        }
    }
}

//! A tenant's `url` as users paste it: the portal's address, the API URL with its path, or a host
//! without a scheme. What can be read as the base of the API is taken as that base, with a
//! warning; what cannot is refused with the fix.

use url::Url;

use super::check::check_url;
use super::error::{ConfigError, Warning};

/// The domains of Defender for Cloud Apps portals (commercial, GCC and GCC High): their base URL
/// is the host alone, so any path on them is something pasted along with it.
const PORTAL_DOMAINS: [&str; 3] =
    [".cloudappsecurity.com", ".cloudappsecurity.us", ".cloudappsecuritygov.com"];

/// Portals that are not a tenant's API, and where the right URL is found instead.
const OTHER_PORTALS: [(&str, &str); 3] = [
    ("security.microsoft.com", "the Microsoft Defender portal"),
    ("portal.azure.com", "the Azure portal"),
    ("portal.cloudappsecurity.com", "the Defender for Cloud Apps sign-in portal"),
];

/// Where the API URL of a tenant is shown, for the messages that need it.
const WHERE_TO_FIND: &str = "copy the tenant's API URL from the Microsoft Defender portal, Settings > \
     Cloud Apps > System > About (https://<tenant>.<region>.portal.cloudappsecurity.com)";

/// The base URL of the tenant's API from what the user wrote at `key`, and a warning when it had to
/// be cut down to it.
pub(crate) fn tenant_url(key: &str, text: &str) -> Result<(Url, Option<Warning>), ConfigError> {
    let text = text.trim();
    if !text.contains("://") && !text.is_empty() && !text.contains(char::is_whitespace) {
        return Err(ConfigError::invalid(
            key,
            format!("{text:?} has no scheme: add https:// (https://{})", text.trim_start_matches('/')),
        ));
    }
    let given = check_url(key, text)?;
    let host = given.host_str().unwrap_or_default().to_ascii_lowercase();
    if let Some((_, what)) = OTHER_PORTALS.iter().find(|(portal, _)| host == *portal) {
        return Err(ConfigError::invalid(
            key,
            format!("{given} is {what}, not a tenant's API: {WHERE_TO_FIND}"),
        ));
    }
    let mut base = given.clone();
    base.set_query(None);
    base.set_fragment(None);
    if PORTAL_DOMAINS.iter().any(|domain| host.ends_with(domain)) {
        base.set_path("/");
    } else if let Some(prefix) = before_api(given.path()) {
        // Another host (a reverse proxy, a test server) may put the API under a path of its own:
        // keep that, and cut the API's path pasted after it.
        base.set_path(&prefix);
    }
    let warning = (base != given).then(|| Warning::TenantUrl {
        key: key.to_owned(),
        given: given.to_string(),
        used: base.to_string(),
    });
    Ok((base, warning))
}

/// The path before its `api` segment (`/proxy/api/v1/alerts/` → `/proxy/`), if it has one.
fn before_api(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let at = segments.iter().position(|segment| segment.eq_ignore_ascii_case("api"))?;
    Some(format!("{}/", segments[..at].join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn accepted(text: &str, base: &str, warned: bool) {
        let (url, warning) = tenant_url("tenants[0].url", text).unwrap();
        assert_eq!(url.as_str(), base, "{text}");
        assert_eq!(warning.is_some(), warned, "{text}: {warning:?}");
    }

    #[track_caller]
    fn refused(text: &str, expected: &str) {
        let error = tenant_url("tenants[0].url", text).unwrap_err().to_string();
        assert!(error.starts_with(expected), "{text}: {error}");
    }

    #[test]
    fn the_base_is_kept_as_it_is() {
        accepted(
            "https://contoso.us3.portal.cloudappsecurity.com",
            "https://contoso.us3.portal.cloudappsecurity.com/",
            false,
        );
        accepted(
            " https://contoso.eu2.portal.cloudappsecurity.com/ ",
            "https://contoso.eu2.portal.cloudappsecurity.com/",
            false,
        );
        accepted("http://127.0.0.1:8080/contoso/", "http://127.0.0.1:8080/contoso/", false);
    }

    #[test]
    fn pasted_api_and_portal_urls_become_the_base() {
        let base = "https://contoso.us3.portal.cloudappsecurity.com/";
        accepted("https://contoso.us3.portal.cloudappsecurity.com/api/v1/alerts/", base, true);
        accepted("https://contoso.us3.portal.cloudappsecurity.com/api/v1/", base, true);
        accepted("https://contoso.us3.portal.cloudappsecurity.com/#/alerts?alertOpen=eq(b:true)", base, true);
        accepted(
            "https://contoso.portal.cloudappsecurity.us/cloud-apps/alerts",
            "https://contoso.portal.cloudappsecurity.us/",
            true,
        );
        // Elsewhere, a path before the API's is the base's own.
        accepted("http://127.0.0.1:8080/proxy/api/v1/alerts/", "http://127.0.0.1:8080/proxy/", true);
        accepted("http://localhost:8080/API/v1/alerts", "http://localhost:8080/", true);
    }

    #[test]
    fn what_cannot_be_a_base_is_refused_with_the_fix() {
        refused(
            "contoso.us3.portal.cloudappsecurity.com",
            "tenants[0].url: \"contoso.us3.portal.cloudappsecurity.com\" has no scheme: add https:// \
             (https://contoso.us3.portal.cloudappsecurity.com)",
        );
        refused(
            "https://security.microsoft.com/cloudapps/alerts",
            "tenants[0].url: https://security.microsoft.com/cloudapps/alerts is the Microsoft Defender portal, not a tenant's API: copy the tenant's API URL from",
        );
        refused(
            "https://portal.cloudappsecurity.com/",
            "tenants[0].url: https://portal.cloudappsecurity.com/ is the Defender for Cloud Apps sign-in portal",
        );
        refused(
            "http://contoso.portal.cloudappsecurity.com",
            "tenants[0].url: http:// is only allowed for loopback hosts",
        );
        refused("", "tenants[0].url: not a URL");
    }

    #[test]
    fn the_warning_says_what_was_used() {
        let (_, warning) =
            tenant_url("tenants[2].url", "https://contoso.us3.portal.cloudappsecurity.com/api/v1/alerts/")
                .unwrap();
        assert_eq!(
            warning.unwrap().to_string(),
            "tenants[2].url: using https://contoso.us3.portal.cloudappsecurity.com/, the base of the API, for \
             https://contoso.us3.portal.cloudappsecurity.com/api/v1/alerts/; write the base in the config to \
             silence this"
        );
    }
}

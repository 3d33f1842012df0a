//! An alert's evidence: the kinds a ticket needs, typed, and every other kind kept raw.

use std::net::IpAddr;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::lenient;
use crate::{EvidenceRole, EvidenceVerdict, RemediationStatus};

/// The `@odata.type` of user evidence.
pub const USER_EVIDENCE: &str = "#microsoft.graph.security.userEvidence";
/// The `@odata.type` of IP evidence.
pub const IP_EVIDENCE: &str = "#microsoft.graph.security.ipEvidence";
/// The `@odata.type` of cloud application evidence.
pub const CLOUD_APPLICATION_EVIDENCE: &str = "#microsoft.graph.security.cloudApplicationEvidence";
/// The `@odata.type` of OAuth application evidence.
pub const OAUTH_APPLICATION_EVIDENCE: &str = "#microsoft.graph.security.oauthApplicationEvidence";
/// The `@odata.type` of mailbox evidence.
pub const MAILBOX_EVIDENCE: &str = "#microsoft.graph.security.mailboxEvidence";

/// What every kind of evidence carries (`alertEvidence`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EvidenceCommon {
    /// When the evidence was added to the alert.
    #[serde(default, deserialize_with = "lenient::time", skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<Timestamp>,
    /// The automated investigation's decision.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub verdict: Option<EvidenceVerdict>,
    /// What was done about it.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub remediation_status: Option<RemediationStatus>,
    /// More about the remediation.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub remediation_status_details: Option<String>,
    /// The parts it plays: `compromised`, `attacker`, `source`…
    #[serde(default, deserialize_with = "lenient::list")]
    pub roles: Vec<EvidenceRole>,
    /// Custom tags.
    #[serde(default, deserialize_with = "lenient::list")]
    pub tags: Vec<String>,
}

/// A user account, as user, mailbox and process evidence name it (`userAccount`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserAccount {
    /// The account name, e.g. `maria.berg`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// The domain of the account, e.g. `contoso.onmicrosoft.com`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    /// The local security identifier.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub user_sid: Option<String>,
    /// The user's object id in Microsoft Entra ID.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub azure_ad_user_id: Option<String>,
    /// The user principal name, e.g. `maria.berg@contoso.onmicrosoft.com`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    /// The display name, e.g. `Maria Berg`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

impl UserAccount {
    /// The best name for the user: the principal name, else `account@domain`, else the
    /// account name, else the display name.
    pub fn best_name(&self) -> Option<String> {
        fn present(value: &Option<String>) -> Option<&str> {
            value.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        if let Some(upn) = present(&self.user_principal_name) {
            return Some(upn.to_owned());
        }
        match (present(&self.account_name), present(&self.domain_name)) {
            (Some(account), Some(domain)) if domain.contains('.') && !account.contains('@') => {
                Some(format!("{account}@{domain}"))
            }
            (Some(account), _) => Some(account.to_owned()),
            (None, _) => present(&self.display_name).map(str::to_owned),
        }
    }
}

/// A user (`userEvidence`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserEvidence {
    /// What every evidence carries.
    #[serde(flatten)]
    pub common: EvidenceCommon,
    /// The user's account.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub user_account: Option<UserAccount>,
    /// The fields this crate does not model, `@odata.type` among them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An IP address (`ipEvidence`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IpEvidence {
    /// What every evidence carries.
    #[serde(flatten)]
    pub common: EvidenceCommon,
    /// The address as sent, IPv4 or IPv6; see [`IpEvidence::ip`].
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// The ISO 3166 two-letter country code, e.g. `DE`.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub country_letter_code: Option<String>,
    /// The fields this crate does not model, `@odata.type` among them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl IpEvidence {
    /// The address, if it is one (white space and IPv6 brackets are allowed around it).
    pub fn ip(&self) -> Option<IpAddr> {
        let text = self.ip_address.as_deref()?.trim();
        let text = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(text);
        text.parse().ok()
    }
}

/// A cloud (SaaS) application (`cloudApplicationEvidence`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CloudApplicationEvidence {
    /// What every evidence carries.
    #[serde(flatten)]
    pub common: EvidenceCommon,
    /// The application's id in Defender for Cloud Apps' catalogue, e.g. `11161` (Office 365).
    #[serde(default, deserialize_with = "lenient::integer", skip_serializing_if = "Option::is_none")]
    pub app_id: Option<i64>,
    /// The application's name.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The id of the application's instance.
    #[serde(default, deserialize_with = "lenient::integer", skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<i64>,
    /// The name of the application's instance.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<String>,
    /// The SaaS application's id.
    #[serde(default, deserialize_with = "lenient::integer", skip_serializing_if = "Option::is_none")]
    pub saas_app_id: Option<i64>,
    /// The fields this crate does not model, `@odata.type` among them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An OAuth application (`oauthApplicationEvidence`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OauthApplicationEvidence {
    /// What every evidence carries.
    #[serde(flatten)]
    pub common: EvidenceCommon,
    /// The application (client) id.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The application's name.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The application object's id in Microsoft Entra ID.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// The publisher's name.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The fields this crate does not model, `@odata.type` among them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A mailbox (`mailboxEvidence`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MailboxEvidence {
    /// What every evidence carries.
    #[serde(flatten)]
    pub common: EvidenceCommon,
    /// The mailbox's name.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The primary e-mail address.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub primary_address: Option<String>,
    /// The user principal name of the mailbox.
    #[serde(default, deserialize_with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// The mailbox's user account.
    #[serde(default, deserialize_with = "lenient::option", skip_serializing_if = "Option::is_none")]
    pub user_account: Option<UserAccount>,
    /// The fields this crate does not model, `@odata.type` among them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Evidence of a kind this crate does not type, or of a known kind whose fields did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OtherEvidence {
    /// Its `@odata.type`, e.g. `#microsoft.graph.security.deviceEvidence`, if it had one.
    pub odata_type: Option<String>,
    /// The fields every evidence carries, as far as they decoded.
    pub common: EvidenceCommon,
    /// The evidence as sent.
    pub raw: Value,
}

impl OtherEvidence {
    /// The kind without its namespace and `Evidence` suffix, e.g. `device` for
    /// `#microsoft.graph.security.deviceEvidence`; `None` without an `@odata.type`.
    pub fn kind(&self) -> Option<&str> {
        let name = self.odata_type.as_deref()?.rsplit('.').next()?;
        Some(name.strip_suffix("Evidence").filter(|n| !n.is_empty()).unwrap_or(name))
    }
}

/// One piece of an alert's evidence, told apart by `@odata.type`.
///
/// The kinds a ticket needs are typed; every other kind (devices, files, processes, URLs, and
/// whatever Graph adds) is kept as [`Evidence::Other`] with its raw JSON, as is a known kind
/// whose fields do not decode. Evidence never fails its alert.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence {
    /// `#microsoft.graph.security.userEvidence`.
    User(UserEvidence),
    /// `#microsoft.graph.security.ipEvidence`.
    Ip(IpEvidence),
    /// `#microsoft.graph.security.cloudApplicationEvidence`.
    CloudApplication(CloudApplicationEvidence),
    /// `#microsoft.graph.security.oauthApplicationEvidence`.
    OauthApplication(OauthApplicationEvidence),
    /// `#microsoft.graph.security.mailboxEvidence`.
    Mailbox(MailboxEvidence),
    /// Any other kind, kept as sent.
    Other(OtherEvidence),
}

impl Evidence {
    /// The fields every evidence carries.
    pub fn common(&self) -> &EvidenceCommon {
        match self {
            Evidence::User(e) => &e.common,
            Evidence::Ip(e) => &e.common,
            Evidence::CloudApplication(e) => &e.common,
            Evidence::OauthApplication(e) => &e.common,
            Evidence::Mailbox(e) => &e.common,
            Evidence::Other(e) => &e.common,
        }
    }

    /// The `@odata.type` of this kind (as sent, for [`Evidence::Other`]).
    pub fn odata_type(&self) -> Option<&str> {
        match self {
            Evidence::User(_) => Some(USER_EVIDENCE),
            Evidence::Ip(_) => Some(IP_EVIDENCE),
            Evidence::CloudApplication(_) => Some(CLOUD_APPLICATION_EVIDENCE),
            Evidence::OauthApplication(_) => Some(OAUTH_APPLICATION_EVIDENCE),
            Evidence::Mailbox(_) => Some(MAILBOX_EVIDENCE),
            Evidence::Other(e) => e.odata_type.as_deref(),
        }
    }

    /// Decodes one piece of evidence. Never fails: an unknown kind, or a known kind whose fields
    /// do not decode, becomes [`Evidence::Other`] with its raw JSON.
    pub fn from_json(value: Value) -> Evidence {
        let odata_type = value.get("@odata.type").and_then(Value::as_str).map(str::to_owned);
        // Graph writes the type with a leading `#`; some answers and SDKs leave it out.
        let kind = odata_type.as_deref().map(|t| t.trim_start_matches('#').to_ascii_lowercase());
        let typed = match kind.as_deref() {
            Some("microsoft.graph.security.userevidence") => {
                UserEvidence::deserialize(&value).ok().map(Evidence::User)
            }
            Some("microsoft.graph.security.ipevidence") => {
                IpEvidence::deserialize(&value).ok().map(Evidence::Ip)
            }
            Some("microsoft.graph.security.cloudapplicationevidence") => {
                CloudApplicationEvidence::deserialize(&value).ok().map(Evidence::CloudApplication)
            }
            Some("microsoft.graph.security.oauthapplicationevidence") => {
                OauthApplicationEvidence::deserialize(&value).ok().map(Evidence::OauthApplication)
            }
            Some("microsoft.graph.security.mailboxevidence") => {
                MailboxEvidence::deserialize(&value).ok().map(Evidence::Mailbox)
            }
            _ => None,
        };
        typed.unwrap_or_else(|| {
            let common = EvidenceCommon::deserialize(&value).unwrap_or_default();
            Evidence::Other(OtherEvidence { odata_type, common, raw: value })
        })
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Evidence::from_json)
    }
}

impl Serialize for Evidence {
    /// Writes the evidence back as Graph sent it: typed kinds with their `@odata.type`, other
    /// kinds as their raw JSON.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let typed = match self {
            Evidence::User(e) => serde_json::to_value(e),
            Evidence::Ip(e) => serde_json::to_value(e),
            Evidence::CloudApplication(e) => serde_json::to_value(e),
            Evidence::OauthApplication(e) => serde_json::to_value(e),
            Evidence::Mailbox(e) => serde_json::to_value(e),
            Evidence::Other(e) => return e.raw.serialize(serializer),
        };
        let mut value = typed.map_err(serde::ser::Error::custom)?;
        if let (Value::Object(map), Some(odata_type)) = (&mut value, self.odata_type()) {
            map.entry("@odata.type").or_insert_with(|| Value::String(odata_type.to_owned()));
        }
        value.serialize(serializer)
    }
}

//! Cloud or Server/Data Center: the one choice that decides the REST version, the search
//! endpoint and how rich text is written.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Which kind of Jira the client talks to; it decides the REST version and the rich-text format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deployment {
    /// Jira Cloud: REST `/rest/api/3`, rich text as Atlassian Document Format (ADF).
    Cloud,
    /// Jira Server or Data Center: REST `/rest/api/2`, rich text as wiki markup.
    #[serde(alias = "datacenter", alias = "data-center", alias = "dc")]
    Server,
}

impl Deployment {
    /// The REST API version this deployment is used with: `"3"` or `"2"`.
    pub fn api_version(self) -> &'static str {
        match self {
            Deployment::Cloud => "3",
            Deployment::Server => "2",
        }
    }

    /// The deployment named by `serverInfo`'s `deploymentType` (`"Cloud"`, `"Server"`; Data
    /// Center also says `"Server"`). Anything but `Cloud` is taken as Server/Data Center, whose
    /// REST v2 is the older and more widely available API.
    pub fn from_deployment_type(deployment_type: Option<&str>) -> Self {
        match deployment_type {
            Some(t) if t.eq_ignore_ascii_case("cloud") => Deployment::Cloud,
            _ => Deployment::Server,
        }
    }
}

impl fmt::Display for Deployment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Deployment::Cloud => "cloud",
            Deployment::Server => "server",
        })
    }
}

impl FromStr for Deployment {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cloud" => Ok(Deployment::Cloud),
            "server" | "datacenter" | "data-center" | "dc" => Ok(Deployment::Server),
            _ => Err(Error::invalid("deployment", format!("{s:?} is not one: use \"cloud\" or \"server\""))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_names() {
        assert_eq!("Cloud".parse::<Deployment>().unwrap(), Deployment::Cloud);
        assert_eq!("datacenter".parse::<Deployment>().unwrap(), Deployment::Server);
        assert!("jira".parse::<Deployment>().is_err());
        assert_eq!(Deployment::from_deployment_type(Some("Cloud")), Deployment::Cloud);
        assert_eq!(Deployment::from_deployment_type(Some("Server")), Deployment::Server);
        assert_eq!(Deployment::from_deployment_type(None), Deployment::Server);
    }
}

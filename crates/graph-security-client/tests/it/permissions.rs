//! The permissions a tenant granted, read from the access token without calling Graph.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use graph_security_client::{Auth, Client, Error, READ_ROLES, SecretString, WRITE_PERMISSION};
use wiremock::MockServer;

use crate::support::{TAILSPIN, WINGTIP, app, builder, mount_catch_all, mount_token};

/// An unsigned JWT with these claims, as Entra's tokens are shaped (the signature is not read).
fn jwt(claims: &serde_json::Value) -> String {
    let part = |json: &serde_json::Value| URL_SAFE_NO_PAD.encode(json.to_string());
    format!("{}.{}.c2lnbmF0dXJl", part(&serde_json::json!({"typ": "JWT", "alg": "RS256"})), part(claims))
}

#[tokio::test]
async fn granted_roles_are_read_from_each_tenants_token_and_nothing_is_sent_to_graph() {
    let server = MockServer::start().await;
    let read =
        jwt(&serde_json::json!({"aud": "https://graph.microsoft.com", "roles": ["SecurityAlert.Read.All"]}));
    let none = jwt(&serde_json::json!({"aud": "https://graph.microsoft.com"}));
    // One token request per tenant, however often the roles are read.
    mount_token(&server, TAILSPIN, &read, 1).await;
    mount_token(&server, WINGTIP, &none, 1).await;
    mount_catch_all(&server).await;
    let app = app(&server);
    let tailspin = builder(&server, &app, TAILSPIN).build().unwrap();
    let wingtip = builder(&server, &app, WINGTIP).build().unwrap();

    let roles = tailspin.granted_roles().await.unwrap();
    assert_eq!(roles, ["SecurityAlert.Read.All"]);
    assert!(roles.iter().any(|role| READ_ROLES.contains(&role.as_str())));
    assert!(!roles.iter().any(|role| role == WRITE_PERMISSION));
    assert_eq!(tailspin.granted_roles().await.unwrap().len(), 1);
    // A tenant that consented to nothing: a token without roles.
    assert_eq!(wingtip.granted_roles().await.unwrap(), Vec::<String>::new());
}

#[tokio::test]
async fn the_roles_of_a_token_that_is_not_a_jwt_cannot_be_read() {
    let server = MockServer::start().await;
    mount_catch_all(&server).await;
    let client = Client::builder(Auth::bearer(SecretString::from("opaque-token")))
        .base_url(server.uri().parse().unwrap())
        .build()
        .unwrap();
    let error = client.granted_roles().await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_eq!(error.to_string(), "could not decode the access token's claims");

    let given = jwt(&serde_json::json!({"roles": ["SecurityAlert.ReadWrite.All"]}));
    let client = Client::builder(Auth::bearer(SecretString::from(given))).build().unwrap();
    assert_eq!(client.granted_roles().await.unwrap(), [WRITE_PERMISSION]);
}

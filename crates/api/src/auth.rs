//! Admin authentication: `Authorization: Bearer <key>` compared in constant time against the
//! configured keys (see [`crate::config::AdminKeys`]).
//!
//! Keys in the query string are refused outright, even next to a valid header: URLs end up in
//! proxy logs, browser histories and referrers, so a key sent there must be considered leaked
//! and the client told so.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Uri};

use crate::config::AdminKeys;
use crate::error::ApiError;

/// Query parameter names that look like credentials.
const KEY_PARAMS: [&str; 7] = [
    "key",
    "api_key",
    "apikey",
    "admin_key",
    "token",
    "access_token",
    "authorization",
];

/// Proof that the request carries a valid admin key; add it as a handler argument.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl<S> FromRequestParts<S> for Admin
where
    AdminKeys: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let keys = AdminKeys::from_ref(state);
        require_admin(&keys, &parts.uri, &parts.headers)
    }
}

/// The check behind [`Admin`], for a handler that also accepts another credential (the feed of a
/// watchlist takes its own token): the same refusals, the same messages.
pub fn require_admin(keys: &AdminKeys, uri: &Uri, headers: &HeaderMap) -> Result<Admin, ApiError> {
    if let Some(query) = uri.query() {
        let has_key = query.split('&').any(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            KEY_PARAMS.iter().any(|k| name.eq_ignore_ascii_case(k))
        });
        if has_key {
            tracing::warn!("admin key sent in the query string, refused");
            return Err(ApiError::unauthorized(
                "keys in the query string are refused (consider that key leaked); send the header Authorization: Bearer <key>",
            ));
        }
    }
    if !keys.is_configured() {
        return Err(ApiError::unauthorized(
            "admin routes are disabled: no admin key is configured",
        ));
    }
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "missing header Authorization: Bearer <key>",
        ));
    };
    let presented = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .ok_or_else(|| ApiError::unauthorized("authorization header must be: Bearer <key>"))?;
    if keys.verify(presented) {
        Ok(Admin)
    } else {
        tracing::warn!("wrong admin key");
        Err(ApiError::unauthorized("wrong admin key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(uri: &str, auth: Option<&str>) -> Parts {
        let mut b = Request::builder().uri(uri);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(()).expect("request").into_parts().0
    }

    fn check(keys: &AdminKeys, parts: &Parts) -> Result<Admin, ApiError> {
        require_admin(keys, &parts.uri, &parts.headers)
    }

    #[test]
    fn rules() {
        let keys = AdminKeys::from_plain(&["s3cret-admin-key-0001"]);
        let ok = "Bearer s3cret-admin-key-0001";
        assert!(check(&keys, &parts("/d", Some(ok))).is_ok());
        assert!(check(&keys, &parts("/d", Some("bearer  s3cret-admin-key-0001"))).is_ok());
        assert!(check(&keys, &parts("/d", None)).is_err());
        assert!(check(&keys, &parts("/d", Some("Bearer wrong"))).is_err());
        assert!(check(&keys, &parts("/d", Some("Basic s3cret-admin-key-0001"))).is_err());
        assert!(check(&keys, &parts("/d?api_key=s3cret-admin-key-0001", Some(ok))).is_err());
        assert!(check(&AdminKeys::default(), &parts("/d", Some(ok))).is_err());
    }
}

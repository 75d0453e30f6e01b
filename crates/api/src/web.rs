//! The web page: a small static application (HTML shell, CSS, plain ES modules, no build step)
//! embedded in the binary and served from the same router as the JSON API it calls.
//!
//! Every page route (`/`, `/standard/...`, `/notification/...`, `/regulation/...`,
//! `/measures`, `/check`, `/dossier`) answers the same shell HTML; the JavaScript reads `location` and renders the
//! page from `/api/v1/*` answers. Assets live under `/static/{version}/{file}`, where `version`
//! is a hash of all assets: those URLs never change content, so they are cached for a year, and
//! the modules' relative imports inherit the version. The shell itself is revalidated on every
//! load (`no-cache`), so a new binary is picked up at once. The shell also carries the label
//! tables the page needs (WTO member and industry names) as an inert JSON block, built from
//! `biaozhun_model` so the page and the API never disagree.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

/// Routes of the web page, merged into the API router by [`crate::router`].
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/", get(shell))
        .route("/measures", get(shell))
        .route("/check", get(shell))
        .route("/dossier", get(shell))
        .route("/standard/{*code}", get(shell))
        .route("/notification/{*symbol}", get(shell))
        .route("/regulation/{*id}", get(shell))
        .route("/static/{*path}", get(asset))
}

/// The version segment of asset URLs: a hash of every embedded asset, so it changes exactly
/// when one of them does.
pub fn asset_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut h = Sha256::new();
        for a in ASSETS {
            h.update(a.name.as_bytes());
            h.update([0]);
            h.update(a.body);
        }
        hex(&h.finalize()[..6])
    })
}

/// One embedded file.
struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        mime: JS,
        body: include_bytes!("web/app.js"),
    },
    Asset {
        name: "util.js",
        mime: JS,
        body: include_bytes!("web/util.js"),
    },
    Asset {
        name: "suggest.js",
        mime: JS,
        body: include_bytes!("web/suggest.js"),
    },
    Asset {
        name: "search.js",
        mime: JS,
        body: include_bytes!("web/search.js"),
    },
    Asset {
        name: "record.js",
        mime: JS,
        body: include_bytes!("web/record.js"),
    },
    Asset {
        name: "measures.js",
        mime: JS,
        body: include_bytes!("web/measures.js"),
    },
    Asset {
        name: "check.js",
        mime: JS,
        body: include_bytes!("web/check.js"),
    },
    Asset {
        name: "dossier.js",
        mime: JS,
        body: include_bytes!("web/dossier.js"),
    },
    Asset {
        name: "style.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("web/style.css"),
    },
    Asset {
        name: "favicon.svg",
        mime: "image/svg+xml",
        body: include_bytes!("web/favicon.svg"),
    },
];

/// Same-origin only: the page calls its own API and loads nothing from elsewhere (the machines
/// it runs on may have no outside network, and the page must not leak queries to third parties).
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

async fn shell() -> Response {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (REFERRER_POLICY, HeaderValue::from_static("same-origin")),
        ],
        shell_html(),
    )
        .into_response()
}

/// The shell with the asset version and label tables filled in, built once.
fn shell_html() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| {
        include_str!("web/index.html")
            .replace("{{version}}", asset_version())
            .replace("{{labels}}", &labels_json())
    })
}

/// `{"members": {"USA": "美国", ...}, "industries": {"NY": "农业", ...}}`, safe inside a
/// `<script type="application/json">` block (no `<` can close it).
fn labels_json() -> String {
    let members: BTreeMap<&str, &str> = biaozhun_model::MEMBERS
        .iter()
        .map(|m| (m.code, m.name_zh))
        .collect();
    let industries: BTreeMap<&str, &str> = biaozhun_model::prefixes::INDUSTRY_PREFIXES
        .iter()
        .map(|p| (p.code, p.sector_zh))
        .collect();
    let value = serde_json::json!({ "members": members, "industries": industries });
    value.to_string().replace('<', "\\u003c")
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let (version, name) = match path.split_once('/') {
        Some((v, n)) => (Some(v), n),
        None => (None, path.as_str()),
    };
    let Some(a) = ASSETS.iter().find(|a| a.name == name) else {
        return (
            StatusCode::NOT_FOUND,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            "no such file",
        )
            .into_response();
    };
    // A versioned URL of the current build never changes; anything else (unversioned, or the
    // version of an older build still open in a tab) must be revalidated.
    let cache = if version == Some(asset_version()) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let etag = format!("\"{}\"", asset_etag(a));
    let fresh = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let etag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let common = [
        (CACHE_CONTROL, HeaderValue::from_static(cache)),
        (ETAG, etag),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(CONTENT_TYPE, HeaderValue::from_static(a.mime))],
        a.body,
    )
        .into_response()
}

fn asset_etag(a: &Asset) -> String {
    hex(&Sha256::digest(a.body)[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn get(uri: &str, etag: Option<&str>) -> (StatusCode, HeaderMap, String) {
        let mut req = Request::get(uri);
        if let Some(e) = etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        let res = router::<()>()
            .oneshot(req.body(Body::empty()).expect("request"))
            .await
            .expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn every_page_route_serves_the_shell() {
        for uri in [
            "/",
            "/?q=%E9%A9%AC%E9%93%83%E8%96%AF",
            "/measures",
            "/standard/GB/T%207714-2015",
            "/notification/G/TBT/N/USA/2146/Add.1",
            "/regulation/abc",
        ] {
            let (status, headers, body) = get(uri, None).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert_eq!(headers[CACHE_CONTROL], "no-cache", "{uri}");
            assert!(body.contains(&format!("/static/{}/app.js", asset_version())));
            assert!(body.contains("\"USA\":\"美国\""), "labels embedded");
            assert!(!body.contains("{{"), "every placeholder filled");
        }
    }

    #[tokio::test]
    async fn assets_are_cached_by_version() {
        let v = asset_version();
        let (status, headers, body) = get(&format!("/static/{v}/app.js"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/javascript"));
        assert!(headers[CACHE_CONTROL]
            .to_str()
            .expect("ascii")
            .contains("immutable"));
        assert!(body.contains("import"));

        let (status, headers, _) = get("/static/0000/style.css", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers[CACHE_CONTROL], "no-cache",
            "stale version revalidates"
        );
        let etag = headers[ETAG].to_str().expect("ascii").to_string();
        let (status, _, body) = get("/static/style.css", Some(&etag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());

        let (status, _, _) = get(&format!("/static/{v}/secret.rs"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn module_imports_name_embedded_files() {
        // A module imported but not embedded would 404 in the browser and blank the page.
        for a in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            let text = std::str::from_utf8(a.body).expect("utf-8");
            for line in text.lines().filter(|l| l.starts_with("import ")) {
                let Some(start) = line.find("'./") else {
                    continue;
                };
                let rest = &line[start + 3..];
                let file = &rest[..rest.find('\'').expect("closing quote")];
                assert!(
                    ASSETS.iter().any(|x| x.name == file),
                    "{} imports {file}, which is not embedded",
                    a.name
                );
            }
        }
    }
}

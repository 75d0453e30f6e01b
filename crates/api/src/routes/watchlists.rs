//! Watchlist routes (admin key): `PUT/GET/DELETE /api/v1/watchlists/{name}`, the list of lists,
//! and the Atom feed of a list's events `GET /api/v1/feeds/watchlists/{name}`, which takes the
//! admin key or the list's own `feed_token` as an HTTP Basic password (feed readers can send
//! Basic credentials, not bearer keys; a watchlist says which standards an enterprise's products
//! depend on, so the feed is not public). See [`crate::watch`].

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::routes::feeds::{base_url, escape, ATOM_CONTENT_TYPE};
use crate::state::{blocking, AppState};
use crate::watch::{self, WatchError, Watchlist, WatchlistInput};
use crate::wire::records::encode_path;

/// The names of the lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatchlistNames {
    /// Names, sorted.
    pub watchlists: Vec<String>,
}

fn watch_error(e: WatchError) -> ApiError {
    match e {
        WatchError::Invalid(m) => ApiError::invalid(m),
        WatchError::NotFound(n) => ApiError::not_found(format!("no watchlist named {n:?}")),
        other => ApiError::internal(&other),
    }
}

/// Creates or replaces a watchlist.
#[utoipa::path(put, path = "/api/v1/watchlists/{name}", tag = "watchlists",
    security(("admin_key" = [])),
    params(("name" = String, Path, description = "1 to 64 letters, digits, - or _")),
    request_body = WatchlistInput,
    responses(
        (status = 200, description = "the list with the state of each code now", body = Watchlist),
        (status = 400, description = "`invalid_parameter`: bad name, code, days or webhook URL", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not JSON", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 503, description = "`not_ready`", body = ErrorBody),
    ))]
pub async fn put(
    _admin: Admin,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(input): ApiJson<WatchlistInput>,
) -> Result<Json<Watchlist>, ApiError> {
    let index = state.index()?;
    let _guard = state.write_lock.lock().await;
    let today = chrono::Local::now().date_naive();
    let list =
        blocking(move || watch::put(&index, &name, input, today).map_err(watch_error)).await?;
    tracing::info!(codes = list.codes.len(), "watchlist stored");
    Ok(Json(list.redacted()))
}

/// A watchlist with the state of each code and its recent events.
#[utoipa::path(get, path = "/api/v1/watchlists/{name}", tag = "watchlists",
    security(("admin_key" = [])),
    params(("name" = String, Path, description = "list name")),
    responses(
        (status = 200, description = "the list", body = Watchlist),
        (status = 400, description = "`invalid_parameter`: a list name this service cannot take", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn get(
    _admin: Admin,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Watchlist>, ApiError> {
    let index = state.index()?;
    let list = blocking(move || watch::load(index.dir(), &name).map_err(watch_error)).await?;
    Ok(Json(list.redacted()))
}

/// Deletes a watchlist.
#[utoipa::path(delete, path = "/api/v1/watchlists/{name}", tag = "watchlists",
    security(("admin_key" = [])),
    params(("name" = String, Path, description = "list name")),
    responses(
        (status = 204, description = "deleted"),
        (status = 400, description = "`invalid_parameter`: a list name this service cannot take", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn delete(
    _admin: Admin,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    let index = state.index()?;
    let _guard = state.write_lock.lock().await;
    blocking(move || watch::delete(index.dir(), &name).map_err(watch_error)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The names of every watchlist.
#[utoipa::path(get, path = "/api/v1/watchlists", tag = "watchlists",
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "names", body = WatchlistNames),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ))]
pub async fn list(
    _admin: Admin,
    State(state): State<AppState>,
) -> Result<Json<WatchlistNames>, ApiError> {
    let index = state.index()?;
    let watchlists = blocking(move || watch::names(index.dir()).map_err(watch_error)).await?;
    Ok(Json(WatchlistNames { watchlists }))
}

/// Atom feed of a watchlist's events, newest first.
#[utoipa::path(get, path = "/api/v1/feeds/watchlists/{name}", tag = "watchlists",
    security(("admin_key" = []), ("feed_token" = [])),
    params(("name" = String, Path, description = "list name")),
    responses(
        (status = 200, description = "Atom 1.0 feed", content_type = "application/atom+xml", body = String),
        (status = 400, description = "`invalid_parameter`: a list name this service cannot take", body = ErrorBody),
        (status = 401, description = "`unauthorized`: neither the admin key nor the list's feed token (a wrong token and an unknown list answer alike)", body = ErrorBody),
        (status = 404, description = "`not_found` (admin key only)", body = ErrorBody),
    ))]
pub async fn feed(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    ApiPath(name): ApiPath<String>,
) -> Result<Response, ApiError> {
    let index = state.index()?;
    let token = basic_password(&headers);
    let list = match token {
        // The list's own read-only password: an unknown list and a wrong token look the same.
        Some(token) => {
            watch::valid_name(&name).map_err(watch_error)?;
            let found = blocking(move || Ok(watch::load(index.dir(), &name).ok())).await?;
            match found {
                Some(list) if list.feed_token_matches(&token) => list,
                _ => {
                    tracing::warn!("wrong watchlist feed token");
                    return Ok(feed_unauthorized(ApiError::unauthorized(
                        "wrong feed token for this watchlist",
                    )));
                }
            }
        }
        None => {
            if let Err(e) = crate::auth::require_admin(&state.config.admin_keys, &uri, &headers) {
                return Ok(feed_unauthorized(e));
            }
            blocking(move || watch::load(index.dir(), &name).map_err(watch_error)).await?
        }
    };
    let base = base_url(&headers, state.config.trust_proxy);
    let mut res = atom(&list, &base).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ATOM_CONTENT_TYPE),
    );
    Ok(res)
}

/// The password of an `Authorization: Basic` header (the user name is ignored).
fn basic_password(headers: &HeaderMap) -> Option<String> {
    use base64::Engine;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (_, password) = text.split_once(':')?;
    Some(password.to_string())
}

/// A 401 that offers Basic (the feed token, for feed readers) beside Bearer (the admin key).
fn feed_unauthorized(e: ApiError) -> Response {
    let mut res = e.into_response();
    res.headers_mut().append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"biaozhun watchlist feed\""),
    );
    res
}

/// The feed XML; every text goes through [`escape`].
pub fn atom(list: &Watchlist, base: &str) -> String {
    let tag = "tag:biaozhun,2024:watchlist:";
    let updated = list
        .events
        .first()
        .map(|e| e.detected)
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    x.push_str(&format!(
        "  <id>{}</id>\n",
        escape(&format!("{tag}{}", list.name))
    ));
    x.push_str(&format!(
        "  <title>{}</title>\n",
        escape(&format!("标准变更提醒：{}", list.name))
    ));
    x.push_str(&format!("  <updated>{updated}T00:00:00Z</updated>\n"));
    x.push_str(&format!(
        "  <link rel=\"self\" href=\"{}\"/>\n",
        escape(&format!(
            "{base}/api/v1/feeds/watchlists/{}",
            encode_path(&list.name)
        ))
    ));
    x.push_str("  <author><name>biaozhun</name></author>\n");
    for (i, e) in list.events.iter().enumerate() {
        let what = match e.kind.as_str() {
            "new_edition" => "新版本",
            "status_changed" => "状态变更",
            "implementation_soon" => "即将实施",
            _ => "加入提醒",
        };
        let title = format!(
            "{what}：{} {} → {}{}",
            e.code,
            e.old_status.as_deref().unwrap_or("-"),
            e.new_status,
            e.new_edition
                .as_deref()
                .map(|n| format!("（现行版本 {n}）"))
                .unwrap_or_default()
        );
        let summary = format!(
            "{} {}: status {} → {}, edition in force {} → {}{}",
            e.kind,
            e.code,
            e.old_status.as_deref().unwrap_or("-"),
            e.new_status,
            e.old_edition.as_deref().unwrap_or("-"),
            e.new_edition.as_deref().unwrap_or("-"),
            e.implement_date
                .map(|d| format!(", implemented {d}"))
                .unwrap_or_default()
        );
        let link = e
            .new_edition
            .as_deref()
            .map(|n| format!("{base}/standard/{}", encode_path(n)))
            .unwrap_or_else(|| format!("{base}/"));
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>{}</id>\n",
            escape(&format!(
                "{tag}{}:{}:{}:{}:{}",
                list.name,
                e.detected,
                e.kind,
                e.code,
                list.events.len() - i
            ))
        ));
        x.push_str(&format!("    <title>{}</title>\n", escape(&title)));
        x.push_str(&format!(
            "    <updated>{}T00:00:00Z</updated>\n",
            e.detected
        ));
        x.push_str(&format!("    <link href=\"{}\"/>\n", escape(&link)));
        x.push_str(&format!("    <category term=\"{}\"/>\n", escape(&e.kind)));
        x.push_str(&format!("    <summary>{}</summary>\n", escape(&summary)));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

//! Watchlists: the standards an enterprise's products depend on, and events when one changes.
//!
//! A watchlist is a named list of codes (dated or undated), stored as one JSON file per list in
//! `<index dir>/watchlists/` (so it moves with the index), together with the state last seen
//! for each code (status, edition in force, its implementation date) and the recent events.
//! [`detect`] runs after every ingest (`biaozhun ingest`, `POST /api/v1/documents`) and on
//! demand (`biaozhun watch check`): it resolves each code with the 查新 rule
//! ([`crate::check::resolve`]) and compares with the stored state. Events:
//! - `new_edition`: the edition in force (or the edition an undated code resolves to) changed;
//! - `status_changed`: replaced, abolished, upcoming → current, ...;
//! - `implementation_soon`: the edition in force or its successor is implemented within the
//!   list's `days` (reported once per edition);
//! - `added`: a code first seen (no event for codes the index does not hold).
//!
//! Events are kept (newest first, at most [`MAX_EVENTS`]), served as an Atom feed per list and
//! POSTed to the list's `webhook` with the retry rules of [`crate::webhook`], signed
//! (`X-Biaozhun-Signature`, HMAC-SHA256) when the list has a `secret`.
//!
//! Feed readers cannot send an admin key, and an admin key in a feed reader would be one key too
//! many in the wild: each list has its own `feed_token`, a random read-only password for its feed
//! alone (HTTP Basic, any user name), made when the list is created, kept when it is replaced,
//! changed with `rotate_feed_token`. It is never put in a URL (URLs end up in logs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use biaozhun_index::Index;
use biaozhun_model::StandardCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::check::resolve::{resolve, IndexEditions, Memo};

/// Events kept per watchlist.
pub const MAX_EVENTS: usize = 500;
/// Codes per watchlist.
pub const MAX_CODES: usize = 5_000;
/// Default look-ahead of `implementation_soon`, days.
pub const DEFAULT_DAYS: u32 = 30;

/// A watchlist as stored and answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Watchlist {
    /// Name: letters, digits, `-` and `_`, at most 64.
    pub name: String,
    /// Watched codes, canonical (dated or undated).
    pub codes: Vec<String>,
    /// `implementation_soon` fires this many days ahead.
    pub days: u32,
    /// Receiver of the events (`http://` or `https://`), optional.
    pub webhook: Option<String>,
    /// Key of the webhook's HMAC-SHA256 signature. Stored; answers show [`MASKED`] instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Read-only password of this list's Atom feed (HTTP Basic, any user name).
    #[serde(default)]
    pub feed_token: String,
    /// Last state seen per code.
    pub state: BTreeMap<String, WatchState>,
    /// Recent events, newest first.
    pub events: Vec<WatchEvent>,
}

/// What was last seen for one watched code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct WatchState {
    /// `current`, `upcoming`, `replaced`, `abolished`, `unknown`.
    pub status: String,
    /// The record the code resolves to.
    pub edition: Option<String>,
    /// The edition in force.
    pub current_edition: Option<String>,
    /// Implementation date of the edition in force (or of the upcoming edition).
    #[schema(value_type = Option<String>)]
    pub implement_date: Option<NaiveDate>,
    /// Whether `implementation_soon` was already reported for `current_edition`.
    pub soon_reported: bool,
}

/// One change of a watched standard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct WatchEvent {
    /// `new_edition`, `status_changed`, `implementation_soon` or `added`.
    pub kind: String,
    /// The watched code.
    pub code: String,
    /// When it was detected.
    #[schema(value_type = String)]
    pub detected: NaiveDate,
    /// Status before (none for `added`).
    pub old_status: Option<String>,
    /// Status now.
    pub new_status: String,
    /// Edition in force before.
    pub old_edition: Option<String>,
    /// Edition in force now (the successor).
    pub new_edition: Option<String>,
    /// Implementation date, for `implementation_soon`.
    #[schema(value_type = Option<String>)]
    pub implement_date: Option<NaiveDate>,
}

/// Why a watchlist operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A bad name, code or webhook URL (the user's mistake).
    #[error("{0}")]
    Invalid(String),
    /// No list with that name.
    #[error("no watchlist named {0:?}")]
    NotFound(String),
    /// Reading or writing the list failed.
    #[error("watchlist storage: {0}")]
    Io(String),
    /// The index failed.
    #[error("index: {0}")]
    Index(#[from] biaozhun_index::IndexError),
}

/// What a client sends to create or replace a list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchlistInput {
    /// Codes in any spelling.
    pub codes: Vec<String>,
    /// Look-ahead of `implementation_soon` in days (default 30, at most 3650).
    pub days: Option<u32>,
    /// `http://` or `https://` receiver of the events.
    pub webhook: Option<String>,
    /// Key of the webhook signature, 16 to 256 characters; absent keeps the stored one, `""`
    /// removes it.
    pub secret: Option<String>,
    /// `true` makes a new `feed_token` (the old one stops working).
    pub rotate_feed_token: Option<bool>,
}

/// What answers show in place of a stored secret.
pub const MASKED: &str = "********";

impl Watchlist {
    /// The list as answered: the webhook secret masked (the feed token stays: only admins see
    /// lists, and it is how they learn it).
    pub fn redacted(mut self) -> Watchlist {
        if self.secret.is_some() {
            self.secret = Some(MASKED.to_string());
        }
        self
    }

    /// Whether `presented` is this list's feed token (constant time; an empty token matches
    /// nothing).
    pub fn feed_token_matches(&self, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        !self.feed_token.is_empty()
            && bool::from(self.feed_token.as_bytes().ct_eq(presented.as_bytes()))
    }
}

/// A fresh feed token: 128 random bits as 32 hex digits.
fn new_feed_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The directory of the lists of an index.
pub fn dir(index_dir: &Path) -> PathBuf {
    index_dir.join("watchlists")
}

/// Checks a list name.
pub fn valid_name(name: &str) -> Result<(), WatchError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(WatchError::Invalid(
            "watchlist name: 1 to 64 letters, digits, - or _".into(),
        ))
    }
}

fn path_of(index_dir: &Path, name: &str) -> Result<PathBuf, WatchError> {
    valid_name(name)?;
    Ok(dir(index_dir).join(format!("{name}.json")))
}

/// Reads one list.
pub fn load(index_dir: &Path, name: &str) -> Result<Watchlist, WatchError> {
    let path = path_of(index_dir, name)?;
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(WatchError::NotFound(name.to_string()))
        }
        Err(e) => return Err(WatchError::Io(format!("{}: {e}", path.display()))),
    };
    serde_json::from_str(&text).map_err(|e| WatchError::Io(format!("{}: {e}", path.display())))
}

/// Names of every list, sorted.
pub fn names(index_dir: &Path) -> Result<Vec<String>, WatchError> {
    let d = dir(index_dir);
    let entries = match std::fs::read_dir(&d) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WatchError::Io(format!("{}: {e}", d.display()))),
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            (p.extension().is_some_and(|x| x == "json"))
                .then(|| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .flatten()
        })
        .filter(|n| valid_name(n).is_ok())
        .collect();
    out.sort();
    Ok(out)
}

/// Writes a list atomically (temporary file, then rename).
pub fn save(index_dir: &Path, list: &Watchlist) -> Result<(), WatchError> {
    let path = path_of(index_dir, &list.name)?;
    let d = dir(index_dir);
    std::fs::create_dir_all(&d).map_err(|e| WatchError::Io(format!("{}: {e}", d.display())))?;
    let json = serde_json::to_vec_pretty(list).map_err(|e| WatchError::Io(e.to_string()))?;
    let tmp = d.join(format!(".{}.tmp", list.name));
    std::fs::write(&tmp, json).map_err(|e| WatchError::Io(format!("{}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, &path).map_err(|e| WatchError::Io(format!("{}: {e}", path.display())))
}

/// Deletes a list.
pub fn delete(index_dir: &Path, name: &str) -> Result<(), WatchError> {
    let path = path_of(index_dir, name)?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(WatchError::NotFound(name.to_string()))
        }
        Err(e) => Err(WatchError::Io(format!("{}: {e}", path.display()))),
    }
}

/// Creates or replaces a list from client input; the state of codes kept from the old list is
/// kept, new codes are resolved now (so the first ingest afterwards reports real changes).
pub fn put(
    index: &Index,
    name: &str,
    input: WatchlistInput,
    today: NaiveDate,
) -> Result<Watchlist, WatchError> {
    valid_name(name)?;
    if input.codes.len() > MAX_CODES {
        return Err(WatchError::Invalid(format!(
            "codes: {} given, at most {MAX_CODES}",
            input.codes.len()
        )));
    }
    let mut codes: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for raw in &input.codes {
        match StandardCode::parse(raw) {
            Ok(c) => {
                let id = c.to_string();
                if !codes.contains(&id) {
                    codes.push(id);
                }
            }
            Err(e) => bad.push(format!("{raw:?} ({e})")),
        }
    }
    if !bad.is_empty() {
        return Err(WatchError::Invalid(format!(
            "codes: not standard numbers: {}",
            bad.join(", ")
        )));
    }
    let days = input.days.unwrap_or(DEFAULT_DAYS);
    if days > 3650 {
        return Err(WatchError::Invalid("days: at most 3650".into()));
    }
    let webhook = match input
        .webhook
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(url) => {
            let raw = crate::webhook::RawWebhook {
                url: url.to_string(),
                ..Default::default()
            };
            crate::webhook::validate(std::slice::from_ref(&raw))
                .map_err(|e| WatchError::Invalid(e.to_string()))?;
            Some(url.to_string())
        }
        None => None,
    };
    let old = match load(index.dir(), name) {
        Ok(l) => Some(l),
        Err(WatchError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let secret = match input.secret.as_deref().map(str::trim) {
        None => old.as_ref().and_then(|o| o.secret.clone()),
        Some("") => None,
        Some(s) if (16..=256).contains(&s.chars().count()) => Some(s.to_string()),
        Some(_) => {
            return Err(WatchError::Invalid(
                "secret: 16 to 256 characters (or \"\" to remove it)".into(),
            ))
        }
    };
    let feed_token = match &old {
        Some(o) if !o.feed_token.is_empty() && input.rotate_feed_token != Some(true) => {
            o.feed_token.clone()
        }
        _ => new_feed_token(),
    };
    let mut list = Watchlist {
        name: name.to_string(),
        codes,
        days,
        webhook,
        secret,
        feed_token,
        state: BTreeMap::new(),
        events: old.as_ref().map(|o| o.events.clone()).unwrap_or_default(),
    };
    if let Some(old) = &old {
        for c in &list.codes {
            if let Some(s) = old.state.get(c) {
                list.state.insert(c.clone(), s.clone());
            }
        }
    }
    // Resolve the new codes without reporting them as changes.
    let fresh: Vec<String> = list
        .codes
        .iter()
        .filter(|c| !list.state.contains_key(*c))
        .cloned()
        .collect();
    let states = observe(index, &fresh, today, days)?;
    for (code, mut s) in states {
        s.soon_reported = false;
        list.state.insert(code, s);
    }
    save(index.dir(), &list)?;
    Ok(list)
}

/// The state of each code now.
fn observe(
    index: &Index,
    codes: &[String],
    today: NaiveDate,
    _days: u32,
) -> Result<Vec<(String, WatchState)>, WatchError> {
    let editions = IndexEditions(index);
    let memo = Memo::new(&editions);
    let mut out = Vec::with_capacity(codes.len());
    for c in codes {
        let Ok(code) = StandardCode::parse(c) else {
            continue;
        };
        let r = resolve(&memo, &code, today)?;
        let current = r.current.as_ref().map(|s| s.id.clone());
        // The implementation date that matters: of the edition in force, or of the cited
        // edition when it is upcoming.
        let implement_date = match &current {
            Some(id) => match index.get_standard(id)? {
                Some(s) => s.implement_date,
                None => None,
            },
            None => None,
        }
        .or_else(|| r.record.as_ref().and_then(|s| s.implement_date));
        out.push((
            c.clone(),
            WatchState {
                status: r.status.as_str().to_string(),
                edition: r.record.as_ref().map(|s| s.id()),
                current_edition: current,
                implement_date,
                soon_reported: false,
            },
        ));
    }
    Ok(out)
}

/// Compares every list of the index with the index now; stores the new state and events and
/// returns, per list, the events found (lists without events are left out).
pub fn detect(
    index: &Index,
    today: NaiveDate,
) -> Result<Vec<(Watchlist, Vec<WatchEvent>)>, WatchError> {
    let mut out = Vec::new();
    for name in names(index.dir())? {
        let mut list = match load(index.dir(), &name) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(list = %name, error = %e, "watchlist unreadable, skipped");
                continue;
            }
        };
        let now = observe(index, &list.codes, today, list.days)?;
        let mut events = Vec::new();
        for (code, mut new) in now {
            let old = list.state.get(&code).cloned();
            events.extend(diff(&code, old.as_ref(), &mut new, today, list.days));
            list.state.insert(code, new);
        }
        if events.is_empty() {
            continue;
        }
        let mut all = events.clone();
        all.append(&mut list.events);
        all.truncate(MAX_EVENTS);
        list.events = all;
        save(index.dir(), &list)?;
        out.push((list, events));
    }
    Ok(out)
}

/// The events between two states of one code; marks `implementation_soon` as reported.
pub fn diff(
    code: &str,
    old: Option<&WatchState>,
    new: &mut WatchState,
    today: NaiveDate,
    days: u32,
) -> Vec<WatchEvent> {
    let event = |kind: &str, old: Option<&WatchState>, new: &WatchState| WatchEvent {
        kind: kind.to_string(),
        code: code.to_string(),
        detected: today,
        old_status: old.map(|o| o.status.clone()),
        new_status: new.status.clone(),
        old_edition: old.and_then(|o| o.current_edition.clone()),
        new_edition: new.current_edition.clone(),
        implement_date: new.implement_date,
    };
    let mut out = Vec::new();
    match old {
        None => {
            if new.status != "unknown" {
                out.push(event("added", None, new));
            }
        }
        Some(o) => {
            // A successor (or another edition of an undated code) is a new edition; losing the
            // edition in force (abolished) is a status change.
            let moved = new.current_edition.is_some()
                && (o.current_edition != new.current_edition || o.edition != new.edition);
            if moved {
                out.push(event("new_edition", old, new));
            } else if o.status != new.status {
                out.push(event("status_changed", old, new));
            }
            new.soon_reported = o.soon_reported && o.current_edition == new.current_edition;
        }
    }
    if let Some(date) = new.implement_date {
        let ahead = (date - today).num_days();
        if !new.soon_reported && (0..=i64::from(days)).contains(&ahead) {
            out.push(event("implementation_soon", old, new));
            new.soon_reported = true;
        }
    }
    out
}

/// The JSON body POSTed to a list's webhook.
#[derive(Debug, Serialize)]
pub struct WatchPayload<'a> {
    /// Always `watchlist.changed`.
    pub event: &'static str,
    /// The list.
    pub watchlist: &'a str,
    /// What changed, newest first.
    pub events: &'a [WatchEvent],
}

/// Delivers the events of each list that has a webhook (same retries as notification hooks).
pub async fn deliver(
    found: &[(Watchlist, Vec<WatchEvent>)],
    policy: crate::webhook::Policy,
) -> Vec<crate::webhook::Outcome> {
    let mut out = Vec::new();
    for (list, events) in found {
        let Some(url) = &list.webhook else { continue };
        let payload = WatchPayload {
            event: "watchlist.changed",
            watchlist: &list.name,
            events,
        };
        match serde_json::to_vec(&payload) {
            Ok(body) => out.push(
                crate::webhook::post_json_signed(
                    url,
                    list.secret.as_deref(),
                    body.into(),
                    events.len(),
                    policy,
                )
                .await,
            ),
            Err(e) => tracing::error!(error = %e, "watchlist payload not serialisable"),
        }
    }
    out
}

/// After an upload: detects changes and delivers them on a background task; returns its handle
/// (the server drops it, tests await it).
pub fn spawn_after_ingest(
    index: std::sync::Arc<Index>,
    policy: crate::webhook::Policy,
) -> tokio::task::JoinHandle<Vec<crate::webhook::Outcome>> {
    tokio::spawn(async move {
        let today = chrono::Local::now().date_naive();
        let found = tokio::task::spawn_blocking(move || detect(&index, today))
            .await
            .unwrap_or_else(|e| Err(WatchError::Io(e.to_string())));
        match found {
            Ok(found) => {
                let n: usize = found.iter().map(|(_, e)| e.len()).sum();
                if n > 0 {
                    tracing::info!(
                        lists = found.len(),
                        events = n,
                        "watchlist changes detected"
                    );
                }
                deliver(&found, policy).await
            }
            Err(e) => {
                tracing::warn!(error = %e, "watchlist detection failed");
                Vec::new()
            }
        }
    })
}

/// After `biaozhun ingest` (or `biaozhun watch check`): detects changes on `today`, prints
/// them to stderr and delivers them, waiting for the deliveries.
pub fn detect_and_deliver_cli(
    index_dir: &Path,
    today: NaiveDate,
) -> Result<Vec<(Watchlist, Vec<WatchEvent>)>, WatchError> {
    if names(index_dir)?.is_empty() {
        return Ok(Vec::new());
    }
    let index = Index::open(index_dir)?;
    let found = detect(&index, today)?;
    for (list, events) in &found {
        for e in events {
            eprintln!(
                "watchlist {}: {} {} ({} -> {}, edition in force {} -> {})",
                list.name,
                e.kind,
                e.code,
                e.old_status.as_deref().unwrap_or("-"),
                e.new_status,
                e.old_edition.as_deref().unwrap_or("-"),
                e.new_edition.as_deref().unwrap_or("-")
            );
        }
    }
    if found.iter().any(|(l, _)| l.webhook.is_some()) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| WatchError::Io(e.to_string()))?;
        for o in rt.block_on(deliver(&found, crate::webhook::Policy::default())) {
            eprintln!(
                "watchlist webhook {}: {} event(s) {} after {} attempt(s)",
                o.url,
                o.notifications,
                if o.delivered {
                    "delivered"
                } else {
                    "NOT delivered"
                },
                o.attempts
            );
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn state(status: &str, current: Option<&str>, implement: Option<&str>) -> WatchState {
        WatchState {
            status: status.into(),
            edition: current.map(str::to_string),
            current_edition: current.map(str::to_string),
            implement_date: implement.map(d),
            soon_reported: false,
        }
    }

    /// (old, new, today, expected event kinds).
    #[test]
    fn events_between_states() {
        let today = "2027-03-01";
        let cases: Vec<(Option<WatchState>, WatchState, Vec<&str>)> = vec![
            (
                None,
                state("current", Some("GB 1-2020"), None),
                vec!["added"],
            ),
            (None, state("unknown", None, None), vec![]),
            (
                Some(state("current", Some("GB 1-2020"), None)),
                state("current", Some("GB 1-2020"), None),
                vec![],
            ),
            (
                Some(state("current", Some("GB 1-2020"), None)),
                state("replaced", Some("GB 1-2026"), None),
                vec!["new_edition"],
            ),
            (
                Some(state("upcoming", Some("GB 1-2026"), None)),
                state("current", Some("GB 1-2026"), None),
                vec!["status_changed"],
            ),
            (
                Some(state("current", Some("GB 1-2020"), None)),
                state("abolished", Some("GB 1-2020"), None),
                vec!["status_changed"],
            ),
            (
                Some(state("current", Some("GB 1-2020"), None)),
                state("abolished", None, None),
                vec!["status_changed"],
            ),
            (
                Some(state("upcoming", Some("GB 7718-2025"), Some("2027-03-16"))),
                state("upcoming", Some("GB 7718-2025"), Some("2027-03-16")),
                vec!["implementation_soon"],
            ),
            // Beyond the 30 days: nothing yet.
            (
                Some(state("upcoming", Some("GB 7718-2025"), Some("2027-05-16"))),
                state("upcoming", Some("GB 7718-2025"), Some("2027-05-16")),
                vec![],
            ),
        ];
        for (old, mut new, want) in cases {
            let got: Vec<String> = diff("GB 1", old.as_ref(), &mut new, d(today), 30)
                .into_iter()
                .map(|e| e.kind)
                .collect();
            assert_eq!(got, want, "{old:?} → {new:?}");
        }
        // Reported once per edition.
        let old = WatchState {
            soon_reported: true,
            ..state("upcoming", Some("GB 7718-2025"), Some("2027-03-16"))
        };
        let mut new = state("upcoming", Some("GB 7718-2025"), Some("2027-03-16"));
        assert!(diff("GB 7718", Some(&old), &mut new, d(today), 30).is_empty());
        assert!(new.soon_reported);
    }

    #[test]
    fn names_are_checked() {
        for ok in ["food-2024", "A_1"] {
            assert!(valid_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../x", "a b", "名单", &"x".repeat(65)] {
            assert!(valid_name(bad).is_err(), "{bad}");
        }
    }
}

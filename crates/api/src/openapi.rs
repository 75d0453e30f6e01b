//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and the
//! wire types, so it cannot drift from the code. A test checks that every route is in it.

use std::sync::OnceLock;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorCode, ErrorDetail};
use crate::routes::admin::{ReindexAnswer, SnapshotAnswer};
use crate::routes::check::CheckBody;
use crate::routes::documents::{
    DeleteAnswer, FileReportWire, LineErrorWire, SummaryWire, UploadAnswer,
};
use crate::routes::health::{Health, ReadyDetails};
use crate::routes::watchlists::WatchlistNames;
use crate::routes::{
    admin, barriers, check, documents, dossier, feeds, health, records, search, watchlists,
};
use crate::watch::{WatchEvent, WatchState, Watchlist, WatchlistInput};
use crate::wire::barriers::{
    BarrierAnswer, CitedWire, CounterpartWire, DocumentWire, EventWire, FamilyWire, HsWire,
    MarketWire, StateWire,
};
use crate::wire::check::{
    CheckAnswer, CheckSummary, CheckedReference, DocumentInfo, OccurrenceWire,
};
use crate::wire::dossier::{ChineseWire, DossierAnswer, DossierCitedWire, MeasureWire};
use crate::wire::records::{
    AdoptionWire, EditionRef, LinkWire, NotificationDetail, RecordRef, Reference, RegulationDetail,
    SectionWire, SourceWire, StandardDetail, TermWire,
};
use crate::wire::search::{
    ExpansionWire, FacetWire, HighlightWire, HitAdoptionWire, HitWire, MatchedWire,
    QueryMarketWire, SearchAnswer, SuggestAnswer, SuggestionWire, UnderstoodWire,
};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "biaozhun",
        description = "Full-text search of Chinese standards, WTO TBT/SPS notifications and regulations.\n\nErrors are `{\"error\": {\"code\", \"message\"}}` with a stable `code`: invalid_parameter (400), unauthorized (401), not_found (404), method_not_allowed (405), payload_too_large (413), unsupported_media_type (415), rate_limited (429, with Retry-After), read_only (403, a write sent to a replica), internal (500), misconfigured (500, an invalid configuration file named in the message: admin routes), not_ready (503), timeout (503), overloaded (503, with Retry-After: every search thread busy and the queue full). Every response carries `x-request-id`.",
        license(name = "Apache-2.0")
    ),
    paths(
        search::search,
        search::suggest,
        barriers::barriers,
        dossier::dossier,
        feeds::notifications_atom,
        check::check,
        records::standard,
        records::notification,
        records::regulation,
        documents::upload,
        documents::delete,
        watchlists::put,
        watchlists::get,
        watchlists::delete,
        watchlists::list,
        watchlists::feed,
        documents::job,
        admin::snapshot,
        admin::reindex,
        health::healthz,
        health::readyz,
        health::metrics,
        health::openapi,
    ),
    components(schemas(
        ErrorBody, ErrorDetail, ErrorCode, SearchAnswer, HitWire, HighlightWire, MatchedWire, FacetWire,
        UnderstoodWire, QueryMarketWire, ExpansionWire,
        SuggestAnswer, SuggestionWire, StandardDetail, RecordRef, Reference, TermWire,
        SectionWire, SourceWire, EditionRef, LinkWire, NotificationDetail, RegulationDetail,
        UploadAnswer, FileReportWire, LineErrorWire, SummaryWire, DeleteAnswer, Health,
        ReadyDetails, crate::metrics::SyncStatus, BarrierAnswer, MarketWire, HsWire,
        FamilyWire, StateWire, EventWire, CitedWire, DocumentWire, CheckAnswer, CheckSummary,
        CheckedReference, OccurrenceWire, DocumentInfo, CheckBody, Watchlist, WatchState, WatchEvent,
        WatchlistInput, WatchlistNames, SnapshotAnswer, ReindexAnswer,
        crate::jobs::Job, crate::jobs::JobState,
        AdoptionWire, HitAdoptionWire, CounterpartWire, DossierAnswer, MeasureWire,
        DossierCitedWire, ChineseWire,
    )),
    modifiers(&AdminKey),
    tags(
        (name = "search", description = "search and suggestions"),
        (name = "trade", description = "barrier checks, market dossiers and the Atom feed of WTO notifications"),
        (name = "check", description = "查新: the standards a document cites, their status and the edition in force"),
        (name = "watchlists", description = "lists of standards to watch, their change events, Atom feed; admin key"),
        (name = "records", description = "standards, notifications and regulations by id"),
        (name = "admin", description = "uploads, deletes, ingest jobs, snapshots, re-index; `Authorization: Bearer <key>`"),
        (name = "operations", description = "health, readiness, metrics, this document"),
    )
)]
pub struct ApiDoc;

struct AdminKey;

impl Modify for AdminKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "an admin key from the configuration (admin_keys / BIAOZHUN_ADMIN_KEYS); keys in the query string are refused",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "feed_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "a watchlist's feed_token as the HTTP Basic password (any user name): reads that list's Atom feed and nothing else",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as a `utoipa` value.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as JSON text, built once.
pub fn document_json() -> String {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        document()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
    .clone()
}

//! The shared document model of biaozhun.
//!
//! Plain data and domain logic only: no IO, no tantivy, no HTTP. Every other crate speaks in
//! these types, so a change here is a change of the whole system's vocabulary. The one piece of
//! real logic that lives here is recognising identifiers however users type them: standard
//! numbers ([`StandardCode`]), WTO notification symbols ([`NotificationSymbol`]) and the
//! classification codes ([`HsCode`], [`IcsCode`], [`CcsCode`]). Besides: a [`Record`] of any
//! [`RecordKind`], the [`Store`] the batch writes to, and the [`merge`] rules two records of the
//! same standard or notification follow, so the batch and the index merge the same way; the
//! [`trade`] rules of the barrier check and the market dossier (markets, HS chapter phrases,
//! the state of a notified measure).
#![warn(missing_docs)]

pub mod adoption;
pub mod classify;
pub mod code;
pub mod dates;
pub mod family;
pub mod glossary;
pub mod lifecycle;
pub mod member;
pub mod merge;
pub mod normalize;
pub mod notification;
pub mod prefixes;
pub mod provenance;
pub mod record;
pub mod region;
pub mod regulation;
pub mod standard;
pub mod trade;

pub use adoption::AdoptionLink;
pub use classify::{CcsCode, ClassifyError, HsCode, IcsCode};
pub use code::{CodeError, Level, Nature, StandardCode};
pub use family::{FamilyError, FamilyEvent, FamilyState, NotificationFamily};
pub use glossary::{Glossary, HsChapters};
pub use lifecycle::{
    Basis, EditionFacts, EditionGraph, EditionNode, LinkBasis, Successors, Verdict,
};
pub use member::{find_markets, Member, MEMBERS};
pub use notification::{Agreement, Notification, NotificationSymbol, SymbolError, SymbolSuffix};
pub use provenance::{FieldSource, Provenance, SourceKind};
pub use record::{Record, RecordKind, Store, StoreError};
pub use region::{Province, PROVINCES};
pub use regulation::{Regulation, RegulationSection};
pub use standard::{
    join_sections, Adoption, AdoptionDegree, Section, Standard, Status, Term, TextQuality,
};

//! The fields of the index, declared ONCE (the `declare_fields!` table below): the typed
//! [`Fields`] handles the code uses, the indexing options of each field ([`FIELDS`]) and their
//! names ([`names`]).
//! [`crate::config`] validates an operator's `schema.toml` against these declarations and
//! [`crate::schema`] builds the tantivy schema from them; nothing else names a field.
//!
//! The order of the declarations is the order of the fields in the tantivy schema, which every
//! existing index was built with: add new fields at the end (and bump the schema version).

use tantivy::schema::{Field, Schema};

/// How a declared field is indexed. Text fields take their analyzer from the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Tokenized text (analyzer and boost in `schema.toml`).
    Text,
    /// Indexed as one term (raw tokenizer).
    Keyword,
    /// Signed number (dates as yyyymmdd).
    I64,
    /// Unsigned number.
    U64,
    /// Stored only, as bytes.
    Stored,
}

/// One declared field: its name, how it is indexed, stored and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDecl {
    /// The field name in tantivy (and in `schema.toml` for text fields and facets).
    pub name: &'static str,
    /// How it is indexed.
    pub ty: FieldType,
    /// Kept in the doc store.
    pub stored: bool,
    /// Has a fast column (sorting, filters, facets, the edition table).
    pub fast: bool,
    /// May be listed in `schema.toml`'s `facets` (a fast keyword or number users filter by).
    pub facetable: bool,
}

impl FieldDecl {
    const fn new(name: &'static str, ty: FieldType) -> FieldDecl {
        FieldDecl {
            name,
            ty,
            stored: matches!(ty, FieldType::Stored),
            fast: false,
            facetable: false,
        }
    }
    const fn stored(mut self) -> FieldDecl {
        self.stored = true;
        self
    }
    const fn fast(mut self) -> FieldDecl {
        self.fast = true;
        self
    }
    const fn facet(mut self) -> FieldDecl {
        self.fast = true;
        self.facetable = true;
        self
    }
}

/// Declares the fields: `name: Type [+ flag ...];` with flags `stored`, `fast` and `facet`
/// (fast, and allowed in `schema.toml`'s facet list). Yields [`Fields`], [`FIELDS`] and
/// [`names`].
macro_rules! declare_fields {
    ($( $(#[doc = $doc:literal])* $name:ident : $ty:ident $(+ $flag:ident)* ; )*) => {
        /// Field handles by role, resolved once from the tantivy schema.
        #[derive(Debug, Clone)]
        pub(crate) struct Fields {
            $( $(#[doc = $doc])* pub $name: Field, )*
            /// Chinese-analyzed text fields with their boosts, for query building.
            pub zh_text: Vec<(Field, f32)>,
            /// English-analyzed text fields with their boosts.
            pub en_text: Vec<(Field, f32)>,
        }

        /// Every field of the index, in schema order.
        pub const FIELDS: &[FieldDecl] = &[
            $( FieldDecl::new(stringify!($name), FieldType::$ty) $(.$flag())* , )*
        ];

        /// The field names, for APIs that take names (fast columns, facets): a misspelt name
        /// is a compile error, not a lookup that fails at run time.
        #[allow(non_upper_case_globals)]
        pub mod names {
            $( $(#[doc = $doc])* pub const $name: &str = stringify!($name); )*
        }

        impl Fields {
            /// The handles of every declared field in `schema`; a missing one is an error
            /// (the schema was not built from [`FIELDS`]), never a silent fallback.
            pub(crate) fn resolve(
                schema: &Schema,
                zh_text: Vec<(Field, f32)>,
                en_text: Vec<(Field, f32)>,
            ) -> Result<Fields, tantivy::TantivyError> {
                Ok(Fields {
                    $( $name: schema.get_field(stringify!($name))?, )*
                    zh_text,
                    en_text,
                })
            }
        }
    };
}

declare_fields! {
    /// Record id (canonical code, symbol, regulation id; `file:PATH` of file documents).
    id: Keyword + stored;
    /// Hash of the id: the tie-breaker of every sort and cursor.
    id_hash: U64 + fast;
    /// `standard`, `notification`, `regulation` (`RecordKind::as_str`) or `file`.
    kind: Keyword + stored + facet;
    /// The unpadded canonical code (exact lookups).
    code: Keyword;
    /// Code keys without year, and part bases (`GB 4806.*`).
    code_key: Keyword;
    /// A notification's base symbol (its family).
    symbol_base: Keyword;
    /// The bare number of a code (`7714`).
    code_num: Keyword;
    /// Compact spellings (`gbt7714`), for prefix suggestions.
    code_compact: Keyword;
    /// Numeric-aware sort key of the code.
    code_sort: Keyword + fast;
    /// Chinese title.
    title_zh: Text;
    /// English title.
    title_en: Text;
    /// Codes, scope, category, defined terms, products: short texts that describe a record.
    keywords: Text;
    /// Full text.
    body: Text;
    /// English texts of notifications.
    text_en: Text;
    /// Standard level (`national`, `industry`, ...).
    level: Keyword + facet;
    /// Standard nature (`mandatory`, `recommended`, `guidance`).
    nature: Keyword + facet;
    /// The catalog's status label (evidence for the status rule).
    status: Keyword + fast;
    /// Rank of the stated status, for relevance among equals.
    status_rank: U64 + fast;
    /// A standard's own code (`=GB/T 7714-2015`) and stated links (`<` replaces, `>` replaced
    /// by), read into the edition table.
    edition: Keyword + fast;
    /// The edition keys (`GB 7714`) of the standards a record cites, for "cited by".
    cites: Keyword;
    /// Province code of a local standard.
    region: Keyword + facet;
    /// Industry prefix of an industry standard.
    industry: Keyword + facet;
    /// ICS codes with every ancestor.
    ics: Keyword + facet;
    /// CCS codes with their category.
    ccs: Keyword + facet;
    /// Edition (or distribution) year.
    year: U64 + facet;
    /// Issuing departments.
    department: Keyword + facet;
    /// WTO member of a notification.
    member: Keyword + facet;
    /// `TBT` or `SPS`.
    agreement: Keyword + facet;
    /// HS codes with their chapter.
    hs: Keyword + facet;
    /// Issue / distribution date (yyyymmdd).
    issue_date: I64 + fast;
    /// Implementation / entry-into-force date.
    implement_date: I64 + fast;
    /// Abolition date.
    abolish_date: I64 + fast;
    /// Comment deadline of a notification.
    comment_deadline: I64 + fast;
    /// The whole record, lz4-compressed JSON.
    record: Stored;
    /// The few fields a hit shows, plain JSON, stored first.
    head: Stored;
    /// `path\u{1}hash` of an ingested file (file documents).
    file_key: Keyword;
    /// The foreign standards a Chinese standard adopts (采标), by key and canonical code.
    adopts: Keyword;
}

/// The declaration of a field by name.
pub fn decl(name: &str) -> Option<&'static FieldDecl> {
    FIELDS.iter().find(|d| d.name == name)
}

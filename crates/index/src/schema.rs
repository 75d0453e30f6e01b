//! The tantivy schema built from [`SchemaConfig`], the field handles the code uses, and the ONE
//! place where analyzers are registered (used both when indexing and when building queries).

use std::collections::HashMap;

use biaozhun_analysis::ChineseAnalyzer;
use tantivy::schema::{
    BytesOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

use crate::config::{Analyzer, FieldType, SchemaConfig};

/// Field handles by role, resolved once from the validated config.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub id: Field,
    pub id_hash: Field,
    pub kind: Field,
    pub code: Field,
    pub code_key: Field,
    pub symbol_base: Field,
    pub code_num: Field,
    pub code_compact: Field,
    pub code_sort: Field,
    pub title_zh: Field,
    pub title_en: Field,
    pub keywords: Field,
    pub body: Field,
    pub text_en: Field,
    pub level: Field,
    pub nature: Field,
    pub status: Field,
    pub status_rank: Field,
    /// A standard's own code (`=GB/T 7714-2015`) and stated links (`<` replaces, `>` replaced
    /// by), read into the edition table.
    pub edition: Field,
    /// The edition keys (`GB 7714`) of the standards a record cites, for "cited by".
    pub cites: Field,
    pub region: Field,
    pub industry: Field,
    pub ics: Field,
    pub ccs: Field,
    pub year: Field,
    pub department: Field,
    pub member: Field,
    pub agreement: Field,
    pub hs: Field,
    pub issue_date: Field,
    pub implement_date: Field,
    pub abolish_date: Field,
    pub comment_deadline: Field,
    pub record: Field,
    pub head: Field,
    pub file_key: Field,
    pub adopts: Field,
    /// Chinese text fields with their boosts, for query building.
    pub zh_text: Vec<(Field, f32)>,
    /// English text fields with their boosts.
    pub en_text: Vec<(Field, f32)>,
}

/// Builds the tantivy schema and the field handles.
pub(crate) fn build(cfg: &SchemaConfig) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let mut by_name = HashMap::new();
    let mut zh_text = Vec::new();
    let mut en_text = Vec::new();
    for f in &cfg.fields {
        let field = match f.ty {
            FieldType::Text(a) => {
                let indexing = TextFieldIndexing::default()
                    .set_tokenizer(a.name())
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions);
                let mut o = TextOptions::default().set_indexing_options(indexing);
                if f.stored {
                    o = o.set_stored();
                }
                let field = b.add_text_field(&f.name, o);
                match a {
                    Analyzer::Zh => zh_text.push((field, f.boost)),
                    Analyzer::En => en_text.push((field, f.boost)),
                }
                field
            }
            FieldType::Keyword => {
                let indexing = TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false);
                let mut o = TextOptions::default().set_indexing_options(indexing);
                if f.stored {
                    o = o.set_stored();
                }
                if f.fast {
                    o = o.set_fast("raw");
                }
                b.add_text_field(&f.name, o)
            }
            FieldType::I64 | FieldType::U64 => {
                let mut o = NumericOptions::default().set_indexed();
                if f.stored {
                    o = o.set_stored();
                }
                if f.fast {
                    o = o.set_fast();
                }
                if f.ty == FieldType::I64 {
                    b.add_i64_field(&f.name, o)
                } else {
                    b.add_u64_field(&f.name, o)
                }
            }
            FieldType::Stored => b.add_bytes_field(&f.name, BytesOptions::default().set_stored()),
        };
        by_name.insert(f.name.clone(), field);
    }
    let schema = b.build();
    // Validation guaranteed every required field; a missing one here is a programming error
    // caught by the config tests, so fall back to field 0 rather than panic.
    let g = |n: &str| by_name.get(n).copied().unwrap_or(Field::from_field_id(0));
    let fields = Fields {
        id: g("id"),
        id_hash: g("id_hash"),
        kind: g("kind"),
        code: g("code"),
        code_key: g("code_key"),
        symbol_base: g("symbol_base"),
        code_num: g("code_num"),
        code_compact: g("code_compact"),
        code_sort: g("code_sort"),
        title_zh: g("title_zh"),
        title_en: g("title_en"),
        keywords: g("keywords"),
        body: g("body"),
        text_en: g("text_en"),
        level: g("level"),
        nature: g("nature"),
        status: g("status"),
        status_rank: g("status_rank"),
        edition: g("edition"),
        cites: g("cites"),
        region: g("region"),
        industry: g("industry"),
        ics: g("ics"),
        ccs: g("ccs"),
        year: g("year"),
        department: g("department"),
        member: g("member"),
        agreement: g("agreement"),
        hs: g("hs"),
        issue_date: g("issue_date"),
        implement_date: g("implement_date"),
        abolish_date: g("abolish_date"),
        comment_deadline: g("comment_deadline"),
        record: g("record"),
        head: g("head"),
        file_key: g("file_key"),
        adopts: g("adopts"),
        zh_text,
        en_text,
    };
    (schema, fields)
}

/// The English analyzer: split on non-alphanumerics, drop very long tokens, lowercase, stem.
pub fn english_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Registers the analyzers on a tantivy index. The only place analyzers are named.
pub fn register(index: &tantivy::Index, zh: &ChineseAnalyzer) {
    let m = index.tokenizers();
    m.register(Analyzer::Zh.name(), TextAnalyzer::from(zh.clone()));
    m.register(Analyzer::En.name(), english_analyzer());
}

//! The tantivy schema built from the declared fields ([`crate::fields`]) and the operator's
//! tunables ([`SchemaConfig`]: analyzer and boost of each text field), and the ONE place where
//! analyzers are registered (used both when indexing and when building queries).

use biaozhun_analysis::ChineseAnalyzer;
use tantivy::schema::{
    BytesOptions, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

use crate::config::{Analyzer, SchemaConfig};
use crate::fields::{FieldType, Fields, FIELDS};

/// Builds the tantivy schema and the field handles.
pub(crate) fn build(cfg: &SchemaConfig) -> Result<(Schema, Fields), crate::IndexError> {
    let mut b = Schema::builder();
    let mut zh_text = Vec::new();
    let mut en_text = Vec::new();
    for f in FIELDS {
        match f.ty {
            FieldType::Text => {
                let (analyzer, boost) =
                    cfg.text(f.name).ok_or_else(|| crate::IndexError::Config {
                        path: crate::config::SCHEMA_FILE.into(),
                        message: format!("text field {:?} has no analyzer and boost", f.name),
                    })?;
                let indexing = TextFieldIndexing::default()
                    .set_tokenizer(analyzer.name())
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions);
                let mut o = TextOptions::default().set_indexing_options(indexing);
                if f.stored {
                    o = o.set_stored();
                }
                let field = b.add_text_field(f.name, o);
                match analyzer {
                    Analyzer::Zh => zh_text.push((field, boost)),
                    Analyzer::En => en_text.push((field, boost)),
                }
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
                b.add_text_field(f.name, o);
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
                    b.add_i64_field(f.name, o);
                } else {
                    b.add_u64_field(f.name, o);
                }
            }
            FieldType::Stored => {
                b.add_bytes_field(f.name, BytesOptions::default().set_stored());
            }
        }
    }
    let schema = b.build();
    let fields = Fields::resolve(&schema, zh_text, en_text)?;
    Ok((schema, fields))
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

//! The alias table: catalog column names mapped to record fields.
//!
//! Loaded from `index-config/catalog-aliases.toml` in two phases (Quickwit style): [`RawAliases`]
//! mirrors the file with `deny_unknown_fields`, so a typo in a field name is an error rather than
//! a silently ignored column; [`Aliases::build_and_validate`] turns it into a lookup table that
//! cannot be ambiguous (no name maps to two fields of the same kind).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use biaozhun_model::RecordKind;
use serde::Deserialize;

/// The version of the alias file this code understands.
pub const ALIASES_VERSION: u32 = 1;

/// The file name inside the configuration directory.
pub const ALIASES_FILE: &str = "catalog-aliases.toml";

/// The table shipped with the source tree, used when no configuration directory is given.
const BUILTIN: &str = include_str!("../../../../index-config/catalog-aliases.toml");

/// Why an alias file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum AliasError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// Not valid TOML, or an unknown key (deny_unknown_fields).
    #[error("invalid alias file {path}: {message}")]
    Toml {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// A file that parsed but is not a valid table (version, ambiguous or missing names):
    /// what [`Aliases::load`] answers, so every error of a file names it.
    #[error("invalid alias file {path}: {source}")]
    InFile {
        /// The file.
        path: String,
        /// What is wrong with it.
        source: Box<AliasError>,
    },
    /// A version this code does not know.
    #[error("unsupported alias file version {0} (expected {ALIASES_VERSION})")]
    Version(u32),
    /// The same normalised name listed for two fields of one kind.
    #[error("alias {name:?} is listed for both {first} and {second} in [{kind}]")]
    Ambiguous {
        /// [`RecordKind::Standard`] or [`RecordKind::Notification`]: the table's section.
        kind: RecordKind,
        /// The alias.
        name: String,
        /// One field.
        first: &'static str,
        /// The other field.
        second: &'static str,
    },
    /// A field that must have at least one name has none (`code`, `symbol`).
    #[error("[{kind}].{field} must list at least one name")]
    Empty {
        /// [`RecordKind::Standard`] or [`RecordKind::Notification`]: the table's section.
        kind: RecordKind,
        /// The field.
        field: &'static str,
    },
}

/// The alias file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAliases {
    /// Must be [`ALIASES_VERSION`].
    pub version: u32,
    /// Fields dropped without a warning.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Names for standard fields.
    pub standard: RawStandardFields,
    /// Names for notification fields.
    pub notification: RawNotificationFields,
}

macro_rules! field_table {
    ($(#[$meta:meta])* $raw:ident, $field:ident, { $($name:ident),+ $(,)? }) => {
        /// Names per field, as written in the file.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $raw {
            $(
                #[doc = concat!("Names of the `", stringify!($name), "` field.")]
                #[serde(default)]
                pub $name: Vec<String>,
            )+
        }

        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(non_camel_case_types)]
        pub enum $field {
            $(
                #[doc = concat!("The `", stringify!($name), "` field.")]
                $name,
            )+
        }

        impl $field {
            /// The field's name as in the alias file and in warnings.
            pub fn as_str(self) -> &'static str {
                match self { $($field::$name => stringify!($name),)+ }
            }
        }

        impl $raw {
            fn entries(&self) -> Vec<($field, &[String])> {
                vec![$(($field::$name, self.$name.as_slice()),)+]
            }
        }
    };
}

field_table!(
    /// A field of a standard record a catalog column can fill.
    RawStandardFields, StdField, {
        code, title, title_zh, title_en, status, issue_date, implement_date, abolish_date,
        replaces, replaced_by, ics, ccs, department, technical_committee, drafters, adopted,
        adoption_degree, scope, category, source,
    }
);

field_table!(
    /// A field of a notification record a catalog column can fill.
    RawNotificationFields, NotifField, {
        symbol, member, member_zh, distribution_date, comment_deadline, proposed_adoption,
        entry_into_force, title, title_en, title_zh, products, hs_codes, ics_codes, objectives,
        description, addendum_of, language, source,
    }
);

/// The validated alias table.
#[derive(Debug, Clone)]
pub struct Aliases {
    standard: HashMap<String, (StdField, usize)>,
    notification: HashMap<String, (NotifField, usize)>,
    ignore: HashSet<String>,
}

/// Normalises a column name for matching: lower case, without spaces, `_`, `-` and `.`, and
/// with full-width forms folded (`ＩＣＳ` = `ics`). A BOM some CSV exports put before the first
/// header is dropped too.
pub fn normalize_name(name: &str) -> String {
    biaozhun_model::normalize::fold(name)
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '\u{feff}'))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Aliases {
    /// Parses and validates the TOML text of an alias file; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Aliases, AliasError> {
        let raw: RawAliases = toml::from_str(text).map_err(|e| AliasError::Toml {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        raw.build_and_validate()
    }

    /// Loads `catalog-aliases.toml` from a configuration directory.
    pub fn load_dir(config_dir: &Path) -> Result<Aliases, AliasError> {
        Aliases::load(&config_dir.join(ALIASES_FILE))
    }

    /// Loads an alias file; every error names it.
    pub fn load(path: &Path) -> Result<Aliases, AliasError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AliasError::Io {
            path: name.clone(),
            source,
        })?;
        Aliases::from_toml_str(&text, &name).map_err(|e| match e {
            AliasError::Io { .. } | AliasError::Toml { .. } | AliasError::InFile { .. } => e,
            other => AliasError::InFile {
                path: name,
                source: Box::new(other),
            },
        })
    }

    /// The table compiled into the binary from `index-config/catalog-aliases.toml`.
    pub fn builtin() -> Result<Aliases, AliasError> {
        Aliases::from_toml_str(BUILTIN, "builtin catalog-aliases.toml")
    }

    /// The standard field a column fills, with its priority (lower wins).
    pub fn standard_field(&self, column: &str) -> Option<(StdField, usize)> {
        self.standard.get(&normalize_name(column)).copied()
    }

    /// The notification field a column fills, with its priority (lower wins).
    pub fn notification_field(&self, column: &str) -> Option<(NotifField, usize)> {
        self.notification.get(&normalize_name(column)).copied()
    }

    /// Whether a column is known to carry nothing of interest.
    pub fn is_ignored(&self, column: &str) -> bool {
        self.ignore.contains(&normalize_name(column))
    }

    /// Whether a column names a standard's code.
    pub fn is_code(&self, column: &str) -> bool {
        matches!(self.standard_field(column), Some((StdField::code, _)))
    }

    /// Whether a column names a notification's symbol.
    pub fn is_symbol(&self, column: &str) -> bool {
        matches!(
            self.notification_field(column),
            Some((NotifField::symbol, _))
        )
    }

    /// The names accepted for a standard's code, for error messages.
    pub fn code_names(&self) -> Vec<String> {
        let mut v: Vec<(usize, String)> = self
            .standard
            .iter()
            .filter(|(_, (f, _))| *f == StdField::code)
            .map(|(n, (_, p))| (*p, n.clone()))
            .collect();
        v.sort();
        v.into_iter().map(|(_, n)| n).collect()
    }
}

impl RawAliases {
    /// Checks the version and builds the lookup tables, rejecting ambiguous names.
    pub fn build_and_validate(self) -> Result<Aliases, AliasError> {
        if self.version != ALIASES_VERSION {
            return Err(AliasError::Version(self.version));
        }
        let standard = table(RecordKind::Standard, self.standard.entries(), |f| {
            f.as_str()
        })?;
        let notification = table(RecordKind::Notification, self.notification.entries(), |f| {
            f.as_str()
        })?;
        if !standard.values().any(|(f, _)| *f == StdField::code) {
            return Err(AliasError::Empty {
                kind: RecordKind::Standard,
                field: "code",
            });
        }
        if !notification.values().any(|(f, _)| *f == NotifField::symbol) {
            return Err(AliasError::Empty {
                kind: RecordKind::Notification,
                field: "symbol",
            });
        }
        Ok(Aliases {
            standard,
            notification,
            ignore: self.ignore.iter().map(|n| normalize_name(n)).collect(),
        })
    }
}

fn table<F: Copy + PartialEq>(
    kind: RecordKind,
    entries: Vec<(F, &[String])>,
    name_of: fn(F) -> &'static str,
) -> Result<HashMap<String, (F, usize)>, AliasError> {
    let mut map: HashMap<String, (F, usize)> = HashMap::new();
    for (field, names) in entries {
        for (priority, name) in names.iter().enumerate() {
            let key = normalize_name(name);
            match map.get(&key) {
                // The same name twice for one field (e.g. `issueDate` and `issue_date`) is
                // harmless: the first keeps its priority.
                Some((f, _)) if *f == field => {}
                Some((f, _)) => {
                    return Err(AliasError::Ambiguous {
                        kind,
                        name: name.clone(),
                        first: name_of(*f),
                        second: name_of(field),
                    })
                }
                None => {
                    map.insert(key, (field, priority));
                }
            }
        }
    }
    Ok(map)
}

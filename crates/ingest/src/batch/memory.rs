//! An in-memory [`Store`]: for tests, and for `biaozhun ingest` without `--index` (a dry run
//! that only reports).

use std::collections::{BTreeMap, HashMap};

use biaozhun_model::{Record, RecordKind, Store, StoreError};

/// Records by `kind:id`, standards merged on upsert like the index does, and the file hashes
/// seen.
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Stored records, keyed by [`Record::merge_key`] (`kind:id`, standards by their unpadded
    /// number so every padding of one standard is one record, as in the index).
    pub records: BTreeMap<String, Record>,
    /// Files stored, path → sha256.
    pub files: HashMap<String, String>,
    /// How many times `put` was called (tests check that batches are chunked).
    pub puts: usize,
    /// How many commits.
    pub commits: usize,
    /// Conflicts reported by merges on upsert.
    pub conflicts: Vec<String>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Number of stored records of one kind.
    pub fn count(&self, kind: RecordKind) -> usize {
        self.records.values().filter(|r| r.kind() == kind).count()
    }

    /// A stored record by kind and id (a standard in any padding).
    pub fn get(&self, kind: RecordKind, id: &str) -> Option<&Record> {
        if kind == RecordKind::Standard {
            if let Ok(code) = biaozhun_model::StandardCode::parse(id) {
                return self.records.get(&format!("standard:{}", code.unpadded()));
            }
        }
        self.records.get(&format!("{kind}:{id}"))
    }
}

impl Store for MemoryStore {
    fn seen(&self, path: &str, content_hash: &str) -> bool {
        self.files.get(path).is_some_and(|h| h == content_hash)
    }

    fn put(&mut self, records: Vec<Record>, files: &[(String, String)]) -> Result<(), StoreError> {
        self.puts += 1;
        for r in records {
            let key = r.merge_key();
            match (self.records.get_mut(&key), r) {
                (Some(Record::Standard(old)), Record::Standard(new)) => {
                    for c in biaozhun_model::merge::merge_standard(old, new) {
                        self.conflicts.push(format!("{key}: {c}"));
                    }
                }
                (Some(Record::Notification(old)), Record::Notification(mut new)) => {
                    // The newer record wins; what it lacks is kept from the stored one.
                    biaozhun_model::merge::merge_notification(&mut new, old.clone());
                    *old = new;
                }
                (_, r) => {
                    self.records.insert(key, r);
                }
            }
        }
        for (p, h) in files {
            self.files.insert(p.clone(), h.clone());
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.commits += 1;
        Ok(())
    }
}

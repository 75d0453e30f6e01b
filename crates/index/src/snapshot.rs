//! Snapshots and restore: an index directory as one `tar` archive compressed with zstd
//! (`.tar.zst`, readable with `tar --zstd -xf`).
//!
//! A snapshot holds the files of one commit of the generation being served (tantivy's
//! `meta.json` and the segment files it names, the sidecar, the config copy) under `index/`,
//! and every state file of the index directory (see [`crate::alias::is_index_entry`]: jobs,
//! watchlists, sync positions, whatever a later feature keeps there) under `state/`, then a
//! `MANIFEST.json` with the size and sha256 of every file, written last. It is taken while the
//! service keeps serving and ingesting: the commit is fixed by reading `meta.json` once and
//! opening every file it names before copying (a merge that deletes them afterwards does not
//! take open files away); when a commit removed a file between the two steps, the snapshot
//! starts over from the new `meta.json`.
//!
//! Restore unpacks into a fresh directory beside the target, checks every file against the
//! manifest (a truncated or corrupt archive fails there, naming what is wrong), and only then
//! moves it into place: a failed restore leaves the target untouched.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::alias::{self, CONFIG_DIR, META_FILE};

/// Name of the manifest, the archive's last entry.
pub const MANIFEST: &str = "MANIFEST.json";
/// Archive folder of the index files.
const INDEX_PREFIX: &str = "index";
/// Archive folder of the state files.
const STATE_PREFIX: &str = "state";
/// How often a snapshot starts over when commits keep removing the files it was about to copy.
const ATTEMPTS: usize = 20;

/// Errors of snapshot and restore; each names the file or archive concerned.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The directory holds no index to snapshot.
    #[error("no biaozhun index in {0}")]
    NotAnIndex(String),
    /// The restore target holds files and `--force` was not given.
    #[error("{0} is not empty; pass --force to replace its contents")]
    TargetNotEmpty(String),
    /// The archive is truncated, corrupt or not a biaozhun snapshot.
    #[error("{archive} is not a complete biaozhun snapshot: {message}")]
    BadArchive {
        /// The archive.
        archive: String,
        /// What is wrong.
        message: String,
    },
    /// Commits kept replacing the files of the snapshot.
    #[error("the index in {0} kept changing under the snapshot; try again")]
    Busy(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One file of the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestFile {
    /// Path inside the archive (`index/meta.json`, `state/jobs/...`).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// sha256, lowercase hex.
    pub sha256: String,
}

/// The archive's table of contents, checked on restore.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version of the archive (1).
    pub format: u32,
    /// The generation the snapshot was taken from.
    pub generation: u64,
    /// When it was taken (RFC 3339, UTC).
    pub created: String,
    /// Every file but the manifest.
    pub files: Vec<ManifestFile>,
}

/// What a snapshot wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotReport {
    /// The archive written.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Files in it (index and state, without the manifest).
    pub files: usize,
    /// State files among them.
    pub state_files: usize,
    /// The generation snapshotted.
    pub generation: u64,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// Files restored (index and state).
    pub files: usize,
    /// State files among them.
    pub state_files: usize,
    /// The generation the snapshot was taken from.
    pub generation: u64,
}

/// Writes a snapshot of the index directory `root` to `out` (written to `out.partial` and
/// renamed when complete, so a crash never leaves a plausible-looking archive).
pub fn snapshot(root: &Path, out: &Path) -> Result<SnapshotReport, SnapshotError> {
    let res = alias::resolve(root).map_err(|e| SnapshotError::NotAnIndex(e.to_string()))?;
    if !res.data.join(META_FILE).exists() {
        return Err(SnapshotError::NotAnIndex(root.display().to_string()));
    }
    let files = open_commit(&res.data)?;
    let mut state = Vec::new();
    collect_state(root, root, &mut state)?;
    let partial = partial_path(out);
    let result = write_archive(&partial, res.generation, files, root, &state);
    let (manifest, bytes) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).map_err(io(out))?;
    Ok(SnapshotReport {
        path: out.to_path_buf(),
        bytes,
        files: manifest.files.len(),
        state_files: state.len(),
        generation: res.generation,
    })
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// An open file of the commit and its name in the archive.
struct Held {
    name: String,
    file: File,
    path: PathBuf,
}

/// Opens `meta.json` (as bytes) and every file of the commit it describes, retrying when a
/// concurrent commit removed one of them in between.
fn open_commit(data: &Path) -> Result<Vec<Held>, SnapshotError> {
    for _ in 0..ATTEMPTS {
        let meta_path = data.join("meta.json");
        let meta_bytes = std::fs::read(&meta_path).map_err(io(&meta_path))?;
        let wanted = commit_files(data, &meta_bytes)?;
        let mut held = Vec::new();
        let mut vanished = false;
        for name in wanted {
            let path = data.join(&name);
            match File::open(&path) {
                Ok(file) => held.push(Held { name, file, path }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    vanished = true;
                    break;
                }
                Err(e) => return Err(io(&path)(e)),
            }
        }
        // meta.json as read, not as it may be now: held as a temp copy.
        if !vanished {
            let mut tmp = tempfile::tempfile().map_err(io(&meta_path))?;
            tmp.write_all(&meta_bytes).map_err(io(&meta_path))?;
            held.push(Held {
                name: "meta.json".into(),
                file: tmp,
                path: meta_path,
            });
            // The sidecar and the config copy never change once the generation exists
            // (query-time files are only refreshed by a writable open).
            for rel in config_files(data)? {
                let path = data.join(&rel);
                let file = File::open(&path).map_err(io(&path))?;
                held.push(Held {
                    name: rel,
                    file,
                    path,
                });
            }
            return Ok(held);
        }
    }
    Err(SnapshotError::Busy(data.display().to_string()))
}

#[derive(Deserialize)]
struct TantivyMeta {
    segments: Vec<TantivySegment>,
}

#[derive(Deserialize)]
struct TantivySegment {
    segment_id: String,
    deletes: Option<TantivyDeletes>,
}

#[derive(Deserialize)]
struct TantivyDeletes {
    opstamp: u64,
}

/// The segment files the commit in `meta_bytes` needs: every component of its segments, and
/// of delete files only the one of the commit's delete opstamp.
fn commit_files(data: &Path, meta_bytes: &[u8]) -> Result<Vec<String>, SnapshotError> {
    let meta: TantivyMeta = serde_json::from_slice(meta_bytes).map_err(|e| {
        SnapshotError::NotAnIndex(format!("{}: unreadable meta.json: {e}", data.display()))
    })?;
    let segments: BTreeMap<String, Option<u64>> = meta
        .segments
        .iter()
        .map(|s| {
            (
                s.segment_id.replace('-', "").to_ascii_lowercase(),
                s.deletes.as_ref().map(|d| d.opstamp),
            )
        })
        .collect();
    let mut out = Vec::new();
    for e in std::fs::read_dir(data).map_err(io(data))?.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(stem) = alias::segment_of(&name) else {
            continue;
        };
        let Some(deletes) = segments.get(&stem.to_ascii_lowercase()) else {
            continue;
        };
        let ext = &name[stem.len()..];
        if ext.ends_with(".temp") {
            continue;
        }
        if let Some(opstamp) = ext.strip_suffix(".del") {
            if deletes.map(|o| format!(".{o}")).as_deref() != Some(opstamp) {
                continue;
            }
        }
        out.push(name);
    }
    out.sort();
    // Every segment of the commit must have files; a missing one means a merge got there
    // first (retried by the caller as a vanished file).
    for id in segments.keys() {
        if !out.iter().any(|n| n.starts_with(id.as_str())) {
            out.push(format!("{id}.idx"));
        }
    }
    Ok(out)
}

/// The sidecar and the config copy, as paths relative to the generation directory.
fn config_files(data: &Path) -> Result<Vec<String>, SnapshotError> {
    let mut out = vec![META_FILE.to_string()];
    let cfg = data.join(CONFIG_DIR);
    if cfg.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(&cfg)
            .map_err(io(&cfg))?
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| format!("{CONFIG_DIR}/{}", e.file_name().to_string_lossy()))
            .collect();
        names.sort();
        out.extend(names);
    }
    Ok(out)
}

/// Every state file under `dir` (recursively), skipping index entries at the top level and
/// temporary files anywhere.
fn collect_state(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SnapshotError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(io(dir))?.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        // Temporary files: ours (`*.tmp`, `*.partial`) and tantivy's atomic writes (`.tmpXXXX`).
        if (dir == root && alias::is_index_entry(&name))
            || name.ends_with(".tmp")
            || name.starts_with(".tmp")
            || name.ends_with(".partial")
        {
            continue;
        }
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            collect_state(root, &e.path(), out)?;
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
    Ok(())
}

/// A writer that hashes and counts what passes through.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn write_archive(
    out: &Path,
    generation: u64,
    held: Vec<Held>,
    root: &Path,
    state: &[PathBuf],
) -> Result<(Manifest, u64), SnapshotError> {
    let file = File::create(out).map_err(io(out))?;
    let enc = zstd::Encoder::new(file, 3).map_err(io(out))?;
    let mut tar = tar::Builder::new(enc);
    let mut files = Vec::new();
    let mut append = |tar: &mut tar::Builder<zstd::Encoder<'static, File>>,
                      name: String,
                      mut file: File,
                      path: &Path|
     -> Result<(), SnapshotError> {
        use std::io::Seek;
        let len = file.seek(std::io::SeekFrom::End(0)).map_err(io(path))?;
        file.seek(std::io::SeekFrom::Start(0)).map_err(io(path))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(len);
        header.set_mode(0o644);
        header.set_mtime(0);
        let mut reader = Hashing {
            inner: file.take(len),
            hash: Sha256::new(),
            bytes: 0,
        };
        tar.append_data(&mut header, &name, &mut reader)
            .map_err(io(path))?;
        if reader.bytes != len {
            return Err(SnapshotError::Io {
                path: path.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "file shrank while being copied",
                ),
            });
        }
        files.push(ManifestFile {
            path: name,
            bytes: len,
            sha256: hex(&reader.hash.finalize()),
        });
        Ok(())
    };
    for h in held {
        append(
            &mut tar,
            format!("{INDEX_PREFIX}/{}", h.name),
            h.file,
            &h.path,
        )?;
    }
    for path in state {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let file = match File::open(path) {
            Ok(f) => f,
            // A state file removed meanwhile (a finished job cleaned up) is simply not in it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(path)(e)),
        };
        append(&mut tar, format!("{STATE_PREFIX}/{rel}"), file, path)?;
    }
    let manifest = Manifest {
        format: 1,
        generation,
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        files,
    };
    let body = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    let mut header = tar::Header::new_gnu();
    header.set_size(body.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    tar.append_data(&mut header, MANIFEST, body.as_slice())
        .map_err(io(out))?;
    let enc = tar.into_inner().map_err(io(out))?;
    let file = enc.finish().map_err(io(out))?;
    file.sync_all().map_err(io(out))?;
    let bytes = file.metadata().map_err(io(out))?.len();
    Ok((manifest, bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Restores the snapshot `archive` into the index directory `target`. Refuses a target that
/// holds files unless `force`; checks the whole archive before touching the target.
pub fn restore(archive: &Path, target: &Path, force: bool) -> Result<RestoreReport, SnapshotError> {
    let non_empty = match std::fs::read_dir(target) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io(target)(e)),
    };
    if non_empty && !force {
        return Err(SnapshotError::TargetNotEmpty(target.display().to_string()));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".biaozhun-restore-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    let report = unpack(archive, staging.path())?;
    // The archive is whole: swap it in.
    let staged = staging.keep();
    if non_empty || target.exists() {
        let aside = tempfile::Builder::new()
            .prefix(".biaozhun-replaced-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?
            .keep();
        let old = aside.join("index");
        std::fs::rename(target, &old).map_err(io(target))?;
        if let Err(e) = std::fs::rename(&staged, target) {
            // Put the old index back before reporting.
            let _ = std::fs::rename(&old, target);
            let _ = std::fs::remove_dir_all(&staged);
            let _ = std::fs::remove_dir_all(&aside);
            return Err(io(target)(e));
        }
        let _ = std::fs::remove_dir_all(&aside);
    } else {
        std::fs::rename(&staged, target).map_err(io(target))?;
    }
    Ok(report)
}

/// Unpacks `archive` into the empty directory `into`, verifying it against its manifest.
fn unpack(archive: &Path, into: &Path) -> Result<RestoreReport, SnapshotError> {
    let bad = |message: String| SnapshotError::BadArchive {
        archive: archive.display().to_string(),
        message,
    };
    let file = File::open(archive).map_err(io(archive))?;
    let dec = zstd::Decoder::new(file).map_err(|e| bad(format!("not zstd: {e}")))?;
    let mut tar = tar::Archive::new(dec);
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let entries = tar.entries().map_err(|e| bad(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("unreadable entry: {e}")))?;
        let name = entry
            .path()
            .map_err(|e| bad(format!("bad entry name: {e}")))?
            .to_string_lossy()
            .to_string();
        if manifest.is_some() {
            return Err(bad(format!("{name} after the manifest")));
        }
        if name == MANIFEST {
            let mut body = Vec::new();
            entry
                .read_to_end(&mut body)
                .map_err(|e| bad(format!("{MANIFEST}: {e}")))?;
            manifest =
                Some(serde_json::from_slice(&body).map_err(|e| bad(format!("{MANIFEST}: {e}")))?);
            continue;
        }
        let rel = safe_relative(&name).ok_or_else(|| bad(format!("unsafe entry name {name}")))?;
        // index/x goes to x (generation 0 of the restored directory), state/x to x.
        let dest_rel = rel
            .strip_prefix(INDEX_PREFIX)
            .or_else(|_| rel.strip_prefix(STATE_PREFIX))
            .map_err(|_| bad(format!("unexpected entry {name}")))?
            .to_path_buf();
        if dest_rel.as_os_str().is_empty() {
            return Err(bad(format!("unexpected entry {name}")));
        }
        let dest = into.join(&dest_rel);
        if let Some(p) = dest.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        let mut out = File::create(&dest).map_err(io(&dest))?;
        let mut reader = Hashing {
            inner: &mut entry,
            hash: Sha256::new(),
            bytes: 0,
        };
        std::io::copy(&mut reader, &mut out).map_err(|e| bad(format!("{name}: {e}")))?;
        out.sync_all().map_err(io(&dest))?;
        seen.insert(name, (reader.bytes, hex(&reader.hash.finalize())));
    }
    let manifest = manifest.ok_or_else(|| bad(format!("no {MANIFEST} (truncated?)")))?;
    if manifest.format != 1 {
        return Err(bad(format!("format {} is not known", manifest.format)));
    }
    for f in &manifest.files {
        match seen.remove(&f.path) {
            None => return Err(bad(format!("{} is missing", f.path))),
            Some((bytes, sha)) if bytes != f.bytes || sha != f.sha256 => {
                return Err(bad(format!("{} does not match its checksum", f.path)))
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().next() {
        return Err(bad(format!("{extra} is not in the manifest")));
    }
    if !into.join(META_FILE).exists() || !into.join("meta.json").exists() {
        return Err(bad("no index files in it".into()));
    }
    let state_files = manifest
        .files
        .iter()
        .filter(|f| f.path.starts_with(&format!("{STATE_PREFIX}/")))
        .count();
    Ok(RestoreReport {
        files: manifest.files.len(),
        state_files,
        generation: manifest.generation,
    })
}

/// `name` as a relative path without `..`, root or prefix components.
fn safe_relative(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    p.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then(|| p.to_path_buf())
}

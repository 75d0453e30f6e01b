//! Fuzzes catalog reading from bytes (`catalog::read_catalog_bytes`) for the JSON, JSONL and CSV
//! readers with the real column aliases of `index-config/`. The first input byte picks the format.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use biaozhun_ingest::catalog::{read_catalog_bytes, Aliases};
use libfuzzer_sys::fuzz_target;

fn aliases() -> &'static Aliases {
    static ALIASES: OnceLock<Aliases> = OnceLock::new();
    ALIASES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../index-config");
        Aliases::load_dir(&dir).expect("index-config/catalog-aliases.toml loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let ext = match sel % 3 {
        0 => "jsonl",
        1 => "csv",
        _ => "json",
    };
    let _ = read_catalog_bytes(bytes, ext, "fuzz", aliases());
});

//! Fuzzes the WTO notification-form parser (`notice_form::parse_form`) on arbitrary text: it
//! returns a form or an error, never panics.
#![no_main]

use biaozhun_ingest::notice_form::parse_form;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(parsed) = parse_form(&text) {
        let _ = parsed.notification.id();
    }
});

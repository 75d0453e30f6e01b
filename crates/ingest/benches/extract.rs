//! PDF extraction throughput (pages/s) per extractor on the shared PDFs.
fn main() {}

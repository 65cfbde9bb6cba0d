//! Scenario parsing and validation must never panic, whatever the bytes.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use peacesim::spec::ModelSpec;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ModelSpec::from_text(text, Path::new("fuzz.toml"), &[]);
    }
});

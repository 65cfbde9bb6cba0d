//! The example outputs shown in README.md and docs/TUTORIAL.md were made by the current model.
//!
//! `scripts/update-docs.py` regenerates each block between `<!-- generated:NAME model=FP -->`
//! and `<!-- /generated:NAME -->` and writes the model fingerprint FP: a hash of the golden
//! output hashes of the main model. A model change re-blesses the golden files, which changes
//! the fingerprint, so this test fails until the documents are regenerated.

use crate::util;
use peacesim::scenario::sha256_hex;

/// Golden files whose outputs the documents' examples depend on (the main model, not Epstein's).
const GOLDEN: [&str; 4] = ["baseline-60", "tiny-conflict", "unmil-ebola-100", "whatif-tiny-conflict"];

/// Documents with generated blocks, and the blocks each must have.
const DOCUMENTS: [(&str, &[&str]); 2] = [
    ("README.md", &["readme-compare", "readme-whatif"]),
    ("docs/TUTORIAL.md", &["tutorial-whatif", "tutorial-compare"]),
];

/// Must match `fingerprint()` in scripts/update-docs.py.
fn model_fingerprint() -> String {
    let mut text = String::new();
    for name in GOLDEN {
        let file = util::root().join("tests/golden").join(format!("{name}.sha256"));
        for line in std::fs::read_to_string(file).unwrap().lines() {
            if !line.contains("manifest.json") {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    sha256_hex(text.as_bytes())[..16].to_string()
}

#[test]
fn example_outputs_in_the_docs_come_from_the_current_model() {
    let current = model_fingerprint();
    for (doc, blocks) in DOCUMENTS {
        let text = std::fs::read_to_string(util::root().join(doc)).unwrap();
        for block in blocks {
            let open = format!("<!-- generated:{block} model=");
            let start = text.find(&open).unwrap_or_else(|| panic!("{doc}: no generated block `{block}`"));
            let rest = &text[start + open.len()..];
            let fingerprint = &rest[..rest.find(" -->").unwrap()];
            assert!(
                text.contains(&format!("<!-- /generated:{block} -->")),
                "{doc}: block `{block}` is not closed"
            );
            assert_eq!(
                fingerprint, current,
                "{doc}: the example `{block}` was made by another model (fingerprint {fingerprint}, now {current}). \
                 Run scripts/update-docs.py and reread the prose around it."
            );
        }
    }
}

//! The project's own files agree with Cargo.toml: licence files and the citation.

use crate::util;

fn read(name: &str) -> String {
    std::fs::read_to_string(util::root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The value of a top-level `key: value` line of CITATION.cff, unquoted.
fn cff_value(cff: &str, key: &str) -> Option<String> {
    cff.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().trim_matches('"').to_string())
}

#[test]
fn citation_version_and_licences_match_cargo_toml() {
    let cff = read("CITATION.cff");
    assert_eq!(cff_value(&cff, "cff-version").as_deref(), Some("1.2.0"));
    assert_eq!(
        cff_value(&cff, "version").as_deref(),
        Some(env!("CARGO_PKG_VERSION")),
        "CITATION.cff's version must be Cargo.toml's"
    );
    assert!(cff_value(&cff, "title").is_some_and(|t| t.starts_with("peacesim")));
    // Cargo.toml's licence expression, as CITATION.cff's list (alternatives) and as files.
    let licences: Vec<&str> = env!("CARGO_PKG_LICENSE").split(" OR ").collect();
    assert_eq!(licences, ["MIT", "Apache-2.0"]);
    let listed: Vec<&str> = cff
        .split("\nlicense:\n")
        .nth(1)
        .expect("a license list")
        .lines()
        .map_while(|l| l.strip_prefix("  - "))
        .collect();
    assert_eq!(listed, licences);
    let mit = read("LICENSE-MIT");
    assert!(mit.starts_with("MIT License\n\nCopyright (c) the peacesim authors\n"), "{mit}");
    assert!(mit.contains("THE SOFTWARE IS PROVIDED \"AS IS\""));
    let apache = read("LICENSE-APACHE");
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
}

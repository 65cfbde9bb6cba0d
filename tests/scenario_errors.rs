//! Each bad input gives a message naming the file, the line (where known), the field path and
//! the rule; validation reports every problem at once; nothing panics.

use peacesim::Error;
use peacesim::scenario::Scenario;

use crate::util;

/// The tiny scenario's text with `find` replaced by `replace` (the find must exist).
fn tiny_with(find: &str, replace: &str) -> String {
    let text = std::fs::read_to_string(util::scenario_path("tiny-conflict.toml")).unwrap();
    assert!(text.contains(find), "test setup: `{find}` not in the scenario");
    text.replacen(find, replace, 1)
}

fn message(text: &str) -> (String, Error) {
    let path = std::path::Path::new("scenarios/x.toml");
    let err = Scenario::from_toml_str(text, path).expect_err("the scenario must be rejected");
    (err.to_string(), err)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn unknown_key_names_file_line_path_and_suggests_the_near_miss() {
    let text = tiny_with("population = 1800", "populaton = 1800");
    let (msg, err) = message(&text);
    assert_eq!(err.exit_code(), 1);
    assert!(msg.contains("scenarios/x.toml"), "{msg}");
    assert!(msg.contains(&format!("line {}", line_of(&text, "populaton"))), "{msg}");
    assert!(msg.contains("localities[1]"), "{msg}");
    assert!(msg.contains("unknown key `populaton`"), "{msg}");
    assert!(msg.contains("did you mean `population`"), "{msg}");
}

#[test]
fn out_of_range_value_names_the_rule_and_the_value() {
    let text = tiny_with("posture_share = 0.6", "posture_share = 1.7");
    let (msg, _) = message(&text);
    assert!(
        msg.contains(&format!(
            "scenarios/x.toml: line {}: mission.posture_share: must be in [0, 1], got 1.7",
            line_of(&text, "posture_share = 1.7")
        )),
        "{msg}"
    );
}

#[test]
fn seeds_that_a_double_cannot_hold_are_rejected() {
    let text = tiny_with("seed = 7", "seed = 9007199254740992");
    let (msg, _) = message(&text);
    assert!(msg.contains("run.seed: must be at most 2^53 - 1 = 9007199254740991"), "{msg}");
    let dir = util::temp_dir("seed-flag");
    let scenario = util::scenario_path("tiny-conflict.toml");
    let out = util::peacesim(&["run", scenario.to_str().unwrap(), "--seed", "9007199254740992", "--quiet"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2^53"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn weights_not_summing_to_one_are_rejected() {
    let text = tiny_with("protection = 0.55", "protection = 0.75");
    let (msg, _) = message(&text);
    assert!(msg.contains("mission.policy.weights: must sum to 1, got 1.2"), "{msg}");
    assert!(msg.contains(&format!("line {}", line_of(&text, "weights ="))), "{msg}");
}

#[test]
fn references_to_unknown_localities_and_groups_are_rejected() {
    let text = tiny_with("presence = [\"East\"]", "presence = [\"Eest\"]");
    let (msg, _) = message(&text);
    assert!(
        msg.contains("armed_groups[1].presence[0]: unknown locality `Eest` (did you mean `East`?)"),
        "{msg}"
    );
    let text = tiny_with("locality = \"Centre\"\ncases", "locality = \"Nowhere\"\ncases");
    let (msg, _) = message(&text);
    assert!(msg.contains("events[0].locality: unknown locality `Nowhere`"), "{msg}");
    let text = tiny_with("recruits_from = [\"Lowland\"]", "recruits_from = [\"Lowlands\"]");
    let (msg, _) = message(&text);
    assert!(msg.contains("unknown identity group `Lowlands`"), "{msg}");
    let text = tiny_with(
        "attacks_mission_share = 0.2",
        "attacks_mission_share = 0.2\nenemies = [\"Ghost Army\"]",
    );
    let (msg, _) = message(&text);
    assert!(
        msg.contains("armed_groups[1].enemies[0]: unknown armed group `Ghost Army`"),
        "{msg}"
    );
}

#[test]
fn negative_population_and_zero_ticks_are_rejected_together() {
    let text = tiny_with("population = 1800", "population = -5");
    let text = text.replacen("ticks = 120", "ticks = 0", 1);
    let (msg, err) = message(&text);
    assert!(msg.contains("localities[1].population: must not be negative, got -5"), "{msg}");
    assert!(msg.contains("run.ticks: must be in [1, 36500], got 0"), "{msg}");
    match err {
        Error::Invalid { errors, .. } => assert!(errors.len() >= 2, "every problem is reported at once"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn malformed_toml_empty_files_and_binary_garbage_are_rejected_with_a_reason() {
    let (msg, _) = message("schema_version = 1\nname = \"x\n");
    assert!(msg.contains("malformed TOML") && msg.contains("line 2"), "{msg}");
    let path = std::path::Path::new("scenarios/empty.toml");
    let err = peacesim::scenario::document::text_from_bytes(b"  \n", path).unwrap_err();
    assert!(err.to_string().contains("file is empty"), "{err}");
    let err = peacesim::scenario::document::text_from_bytes(&[0xff, 0xfe, 0x00, 0x12, 0x80], path).unwrap_err();
    assert!(err.to_string().contains("not a UTF-8 text file"), "{err}");
}

#[test]
fn wrong_types_name_the_field() {
    let text = tiny_with("troops = 900", "troops = \"many\"");
    let (msg, _) = message(&text);
    assert!(msg.contains("mission.troops") && msg.contains("wrong type"), "{msg}");
}

#[test]
fn nan_and_infinity_are_rejected() {
    let text = tiny_with("posture_share = 0.6", "posture_share = nan");
    let (msg, _) = message(&text);
    assert!(msg.contains("mission.posture_share: must be a finite number"), "{msg}");
    let text = tiny_with("lootable_resources_share = 0.6", "lootable_resources_share = inf");
    let (msg, _) = message(&text);
    assert!(msg.contains("lootable_resources_share: must be a finite number"), "{msg}");
}

#[test]
fn events_outside_the_run_and_disconnected_graphs_are_rejected() {
    let text = tiny_with("tick = 60", "tick = 500");
    let (msg, _) = message(&text);
    assert!(msg.contains("events[0].tick") && msg.contains("after the end"), "{msg}");
    let text = tiny_with("tick = 60", "tick = 0");
    let (msg, _) = message(&text);
    assert!(msg.contains("before the start"), "{msg}");
    let text = tiny_with("neighbours = [\"Centre-East\"]", "neighbours = []");
    let (msg, _) = message(&text);
    assert!(msg.contains("network: the locality graph is not connected"), "{msg}");
}

#[test]
fn absurd_sizes_get_a_clear_limit() {
    let text = tiny_with("population = 1800", "population = 99000000").replace("population = 3000", "population = 99000000");
    let (msg, _) = message(&text);
    assert!(msg.contains("exceed the limit") && msg.contains("people_per_agent"), "{msg}");
}

#[test]
fn duplicate_names_are_rejected() {
    let text = tiny_with("name = \"Centre-East\"", "name = \"East\"");
    let (msg, _) = message(&text);
    assert!(msg.contains("duplicate name `East`"), "{msg}");
}

#[test]
fn an_unknown_key_does_not_hide_range_errors_in_the_same_file() {
    // A typo of a required key (read as that key to check the rest), an unknown key with no near
    // miss, and a range error further down: all three are reported, with lines.
    let text = tiny_with("population = 1800", "populaton = -5")
        .replacen("posture_share = 0.6", "posture_share = 3", 1)
        .replacen("[mission]", "[mission]\ncolour = \"blue\"", 1);
    let (msg, err) = message(&text);
    assert_eq!(err.exit_code(), 1);
    let typo = line_of(&text, "populaton");
    for wanted in [
        format!("scenarios/x.toml: line {typo}: localities[1].populaton: unknown key `populaton` (did you mean `population`?)"),
        format!("scenarios/x.toml: line {typo}: localities[1].population: must not be negative, got -5 (the value given as `populaton`)"),
        format!(
            "scenarios/x.toml: line {}: mission.colour: unknown key `colour`",
            line_of(&text, "colour")
        ),
        format!(
            "scenarios/x.toml: line {}: mission.posture_share: must be in [0, 1], got 3",
            line_of(&text, "posture_share = 3")
        ),
    ] {
        assert!(msg.contains(&wanted), "missing `{wanted}` in:\n{msg}");
    }
    assert!(!msg.contains("required key"), "a typo is not also a missing key:\n{msg}");

    // Epstein's model too.
    let text = std::fs::read_to_string(util::scenario_path("epstein-rebellion.toml"))
        .unwrap()
        .replacen("[cops]", "[cops]\nspeed = 3", 1);
    let text = text.replacen("vision = 7.0", "vision = 70.0", 1);
    let err = peacesim::spec::ModelSpec::from_text(&text, std::path::Path::new("e.toml"), &[]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("cops.speed: unknown key `speed`") && msg.contains("vision"), "{msg}");
    assert!(msg.lines().count() >= 2 && msg.lines().all(|l| l.starts_with("e.toml: ")), "{msg}");
}

#[test]
fn a_water_share_out_of_range_names_its_path_in_the_population_table() {
    let text = tiny_with(
        "[[identity_groups]]",
        "[population]\nunsafe_water_share = { urban = 0.2, rural = 1.4 }\n\n[[identity_groups]]",
    );
    let (msg, _) = message(&text);
    assert!(
        msg.contains("population.unsafe_water_share.rural: must be in [0, 1], got 1.4"),
        "{msg}"
    );
    let text = tiny_with(
        "[[identity_groups]]",
        "[population]\nunsafe_water_share = { urban = 0.2, rual = 0.4 }\n\n[[identity_groups]]",
    );
    let (msg, _) = message(&text);
    assert!(msg.contains("unknown key `rual`"), "{msg}");
}

#[test]
fn a_site_capacity_event_needs_a_declared_site_a_known_locality_and_a_count() {
    let event = |locality: &str, capacity: &str| {
        tiny_with(
            "[[events]]\ntick = 60",
            &format!(
                "[[events]]\ntick = 30\nkind = \"site_capacity\"\nlocality = \"{locality}\"\ncapacity = {capacity}\n\n[[events]]\ntick = 60"
            ),
        )
    };
    let text = event("West", "2000");
    let (msg, _) = message(&text);
    assert!(
        msg.contains("events[0].locality: `West` declares no protection_site: a site's capacity can change only where one is declared (with capacity = 0 for a site that opens later)"),
        "{msg}"
    );
    assert!(msg.contains(&format!("line {}", line_of(&text, "locality = \"West\""))), "{msg}");
    let (msg, _) = message(&event("Centr", "2000"));
    assert!(
        msg.contains("events[0].locality: unknown locality `Centr` (did you mean `Centre`?)"),
        "{msg}"
    );
    let (msg, _) = message(&event("Centre", "-5"));
    assert!(msg.contains("events[0].capacity: must not be negative, got -5"), "{msg}");
    let good = event("Centre", "0");
    Scenario::from_toml_str(&good, std::path::Path::new("scenarios/x.toml")).expect("closing a declared site is valid");
}

//! Figures: every figure type from small runs; SVG well-formed with title and labels; PNG decodes
//! and is not blank; incomplete directories and unknown names are refused clearly.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use peacesim::experiment::pool::NoProgress;
use peacesim::experiment::runner::{ExecOptions, execute};
use peacesim::experiment::single::{RunOptions, run_to_dir};
use peacesim::experiment::{build, plan::Plan};
use peacesim::output::plot::{Format, PlotOptions, plot_dir};
use peacesim::phases::indicators::{Indicators, LocalityIndicators};

use crate::util;

fn exec(out: &Path) -> ExecOptions<'static> {
    ExecOptions {
        out: out.to_path_buf(),
        force: false,
        threads: 2,
        shard: None,
        command: "test".into(),
        progress: &NoProgress,
        stop: &|| false,
        parquet: false,
    }
}

/// One small run shared by the tests that only read it (figures go to its `figures/`).
fn run_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = util::temp_dir("plots-run");
        let s = util::load("tiny-conflict.toml", &["run.ticks=20"]);
        let out = dir.join("run");
        run_to_dir(
            &s,
            &RunOptions {
                out: out.clone(),
                force: false,
                threads: 2,
                locality_every: None,
                command: "test".into(),
                parquet: false,
            },
            &|| false,
        )
        .unwrap();
        out
    })
}

/// A meaning as a figure title: without the final full stop.
fn title_of(meaning: &str) -> String {
    meaning.trim().trim_end_matches('.').to_string()
}

fn meaning(name: &str) -> String {
    let i = Indicators::NAMES.iter().position(|n| *n == name).unwrap();
    title_of(Indicators::MEANINGS[i])
}

/// Checks that `text` is well-formed XML: one root element, balanced and properly nested tags,
/// quoted attributes, no stray `<` or unescaped `&` in text. Returns the text of `<text>`
/// elements, in order.
fn check_xml(text: &str, file: &Path) -> Vec<String> {
    let fail = |msg: &str, at: usize| -> ! {
        let start = at.saturating_sub(60);
        panic!(
            "{}: not well-formed XML: {msg} near `{}`",
            file.display(),
            &text[start..(at + 60).min(text.len())]
        )
    };
    let b = text.as_bytes();
    let mut i = 0;
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut texts = Vec::new();
    let mut current = String::new();
    let check_entities = |s: &str, at: usize| {
        let mut rest = s;
        while let Some(p) = rest.find('&') {
            let tail = &rest[p + 1..];
            let end = tail.find(';').unwrap_or_else(|| fail("`&` without `;`", at));
            let name = &tail[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name.strip_prefix("#x").is_some_and(|h| u32::from_str_radix(h, 16).is_ok())
                || name.strip_prefix('#').is_some_and(|d| d.parse::<u32>().is_ok());
            if !ok {
                fail(&format!("unknown entity `&{name};`"), at);
            }
            rest = &tail[end + 1..];
        }
    };
    while i < b.len() {
        if b[i] == b'<' {
            if text[i..].starts_with("<?") {
                i += text[i..].find("?>").unwrap_or_else(|| fail("unclosed `<?`", i)) + 2;
                continue;
            }
            if text[i..].starts_with("<!--") {
                i += text[i..].find("-->").unwrap_or_else(|| fail("unclosed comment", i)) + 3;
                continue;
            }
            let end = i + text[i..].find('>').unwrap_or_else(|| fail("unclosed tag", i));
            let inner = &text[i + 1..end];
            if let Some(name) = inner.strip_prefix('/') {
                let name = name.trim();
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => fail(&format!("`</{name}>` closes {other:?}"), i),
                }
                if name == "text" {
                    texts.push(std::mem::take(&mut current).trim().to_string());
                }
            } else {
                let self_closing = inner.ends_with('/');
                let body = inner.trim_end_matches('/');
                let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
                let name = &body[..name_end];
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-' || c == '_') {
                    fail(&format!("bad tag name `{name}`"), i);
                }
                // Attributes: name="value" pairs.
                let mut rest = body[name_end..].trim();
                while !rest.is_empty() {
                    let eq = rest.find('=').unwrap_or_else(|| fail("attribute without `=`", i));
                    let quote = rest[eq + 1..].chars().next().unwrap_or(' ');
                    if quote != '"' && quote != '\'' {
                        fail("unquoted attribute", i);
                    }
                    let close = rest[eq + 2..].find(quote).unwrap_or_else(|| fail("unterminated attribute", i));
                    let value = &rest[eq + 2..eq + 2 + close];
                    if value.contains('<') {
                        fail("`<` in an attribute", i);
                    }
                    check_entities(value, i);
                    rest = rest[eq + 2 + close + 1..].trim_start();
                }
                if stack.is_empty() {
                    roots += 1;
                }
                if !self_closing {
                    stack.push(name);
                }
            }
            i = end + 1;
        } else {
            let next = text[i..].find('<').map_or(b.len(), |p| i + p);
            let chunk = &text[i..next];
            if stack.is_empty() && !chunk.trim().is_empty() {
                fail("text outside the root element", i);
            }
            check_entities(chunk, i);
            if stack.last() == Some(&"text") {
                current.push_str(chunk);
            }
            i = next;
        }
    }
    assert!(stack.is_empty(), "{}: unclosed elements {stack:?}", file.display());
    assert_eq!(roots, 1, "{}: one root element", file.display());
    texts
        .into_iter()
        .map(|t| {
            t.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
        })
        .collect()
}

/// Checks an SVG: well-formed, text kept as `<text>`, containing every expected phrase
/// (lines of a wrapped title are joined with spaces).
fn check_svg(path: &Path, expected: &[&str]) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.contains("<svg"), "{}", path.display());
    let texts = check_xml(&text, path);
    assert!(!texts.is_empty(), "{}: no text elements", path.display());
    let joined = texts.join(" ");
    for e in expected {
        assert!(joined.contains(e), "{}: `{e}` not found in the text: {joined}", path.display());
    }
}

/// Checks a PNG: decodes, is at least 1,000 pixels wide (a paper's single column at 300 dpi is
/// 1,004), has many colours and is not mostly blank.
fn check_png(path: &Path) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    assert!(info.width >= 1000, "{}: {} px wide", path.display(), info.width);
    let pixels = &buf[..info.buffer_size()];
    let mut colours = std::collections::BTreeSet::new();
    let mut non_white = 0usize;
    let total = (info.width * info.height) as usize;
    for p in pixels.chunks_exact(channels) {
        if colours.len() < 64 {
            colours.insert((p[0], p[1], p[2]));
        }
        if p[0] < 245 || p[1] < 245 || p[2] < 245 {
            non_white += 1;
        }
    }
    assert!(colours.len() >= 16, "{}: only {} colours", path.display(), colours.len());
    let share = non_white as f64 / total as f64;
    assert!(
        share > 0.02,
        "{}: only {:.1} % of pixels are not white",
        path.display(),
        share * 100.0
    );
}

/// Checks both formats of a figure and returns nothing; `stem` is the file name without extension.
fn check_figure(written: &[PathBuf], dir: &Path, stem: &str, expected: &[&str]) {
    let svg = dir.join("figures").join(format!("{stem}.svg"));
    let png = dir.join("figures").join(format!("{stem}.png"));
    assert!(written.contains(&svg), "{} not written; written: {written:?}", svg.display());
    assert!(written.contains(&png), "{} not written", png.display());
    check_svg(&svg, expected);
    check_png(&png);
}

#[test]
fn a_run_gets_time_series_a_human_security_panel_and_maps() {
    let dir = run_dir();
    let written = plot_dir(dir, &PlotOptions::default()).unwrap();
    assert_eq!(written.len(), 2 * (PlotOptions::HEADLINE_INDICATORS.len() + 3), "{written:?}");
    check_figure(
        &written,
        dir,
        "timeseries-af_m0",
        &[&meaning("af_m0"), "One run of tiny-conflict.toml", "day", "index 0-1"],
    );
    check_figure(
        &written,
        dir,
        "timeseries-civilian_fatalities_cumulative",
        &["Civilians killed, all perpetrators and crossfire, cumulative", "day", "people"],
    );
    check_figure(&written, dir, "timeseries-displaced", &[&meaning("displaced"), "day", "people"]);
    check_figure(
        &written,
        dir,
        "human-security",
        &[
            "Human security: deprivation by dimension and the Alkire–Foster index",
            "Personal security",
            "Environmental security",
            "Adjusted headcount M0",
            "Contributions to M0",
            "deprived share",
            "day",
            "share of M0",
            "environmental",
        ],
    );
    let i = LocalityIndicators::NAMES.iter().position(|n| *n == "af_m0").unwrap();
    let title = title_of(LocalityIndicators::MEANINGS[i]);
    check_figure(
        &written,
        dir,
        "map-af_m0",
        &[&title, "by locality, day 20", "af_m0 (index 0-1)", "people present", "km"],
    );
    check_figure(
        &written,
        dir,
        "map-strip-af_m0",
        &[&title, "day 0 (tick 0)", "day 20 (tick 20)", "af_m0 (index 0-1)"],
    );
    // Locality names appear on the single map where they fit.
    let network = std::fs::read_to_string(dir.join("network.csv")).unwrap();
    let first = network.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    check_svg(&dir.join("figures/map-af_m0.svg"), &[&first]);
}

#[test]
fn chosen_indicators_formats_and_map_ticks_are_honoured() {
    let dir = util::temp_dir("plots-options");
    let s = util::load("tiny-conflict.toml", &["run.ticks=12"]);
    let out = dir.join("run");
    run_to_dir(
        &s,
        &RunOptions {
            out: out.clone(),
            force: false,
            threads: 2,
            locality_every: None,
            command: "test".into(),
            parquet: false,
        },
        &|| false,
    )
    .unwrap();
    let options = PlotOptions {
        indicators: vec!["civilian_fatalities".into(), "fighters".into()],
        formats: vec![Format::Svg],
        map_indicator: Some("trust_in_mission".into()),
        map_tick: Some(6),
        map_ticks: vec![0, 12],
        ..PlotOptions::default()
    };
    let written = plot_dir(&out, &options).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "timeseries-civilian_fatalities.svg",
            "timeseries-fighters.svg",
            "human-security.svg",
            "map-trust_in_mission.svg",
            "map-strip-trust_in_mission.svg"
        ]
    );
    check_svg(
        &out.join("figures/map-trust_in_mission.svg"),
        &["day 6", "trust_in_mission (share)"],
    );
    check_svg(
        &out.join("figures/map-strip-trust_in_mission.svg"),
        &["day 0 (tick 0)", "day 12 (tick 12)"],
    );
    let err = plot_dir(
        &out,
        &PlotOptions {
            map_tick: Some(99),
            ..options
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("map tick 99 has no rows in localities.csv"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_ensemble_gets_mean_lines_with_confidence_bands() {
    let dir = util::temp_dir("plots-ensemble");
    let s = util::load("tiny-conflict.toml", &["run.ticks=20"]);
    let report = execute(&build::ensemble(&s, 3, 11), &exec(&dir.join("e"))).unwrap();
    let written = plot_dir(&report.dir, &PlotOptions::default()).unwrap();
    assert_eq!(
        written.len(),
        2 * (PlotOptions::HEADLINE_INDICATORS.len() + 1),
        "no map without localities.csv: {written:?}"
    );
    check_figure(
        &written,
        &report.dir,
        "timeseries-trust_in_mission",
        &[
            &meaning("trust_in_mission"),
            "mean of n = 3 replicates",
            "95 % CI of the mean",
            "day",
            "share",
        ],
    );
    check_figure(
        &written,
        &report.dir,
        "timeseries-civilian_fatalities_cumulative",
        &["mean of n = 3 replicates", "day", "people"],
    );
    check_figure(
        &written,
        &report.dir,
        "human-security",
        &["mean contributions", "Headcount ratio H", "Intensity A"],
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_comparison_gets_overlaid_arms_and_a_difference_chart() {
    let dir = util::temp_dir("plots-compare");
    let base = util::scenario_path("tiny-conflict.toml");
    let mut arms = vec![
        build::parse_arm("base=", &base, &[]).unwrap(),
        build::parse_arm("robust=mission.mandate=\"robust\";mission.troops=2500", &base, &[]).unwrap(),
        build::parse_arm(
            "health=mission.policy.weights={protection=0.2, health=0.6, economic=0.1, empowerment=0.1}",
            &base,
            &[],
        )
        .unwrap(),
    ];
    for a in &mut arms {
        a.scenario.apply_run_overrides(None, Some(20));
    }
    let report = execute(&build::comparison(&arms, 3, 4).unwrap(), &exec(&dir.join("c"))).unwrap();
    let written = plot_dir(&report.dir, &PlotOptions::default()).unwrap();
    check_figure(
        &written,
        &report.dir,
        "compare-af_m0",
        &[&meaning("af_m0"), "base", "robust", "health", "n = 3 replicates per arm", "day"],
    );
    check_figure(&written, &report.dir, "human-security", &["Human security by arm", "arm", "robust"]);
    check_figure(
        &written,
        &report.dir,
        "compare-differences",
        &[
            "Change in outcomes by arm",
            "relative difference against base (%)",
            "civilian_fatalities",
            "mean_m0",
            "CI includes 0",
        ],
    );
    let differences = std::fs::read_to_string(report.dir.join("figures/compare-differences.svg")).unwrap();
    assert!(
        !differences.contains(">spend_health_usd<"),
        "mission inputs are left out by default"
    );
    // Chosen outcomes only, in the order given; a typo gets a suggestion.
    let only = PlotOptions {
        comparison_outcomes: vec!["mean_m0".into(), "spend_health_usd".into()],
        formats: vec![Format::Svg],
        ..PlotOptions::default()
    };
    plot_dir(&report.dir, &only).unwrap();
    check_svg(
        &report.dir.join("figures/compare-differences.svg"),
        &["mean_m0", "spend_health_usd"],
    );
    let err = plot_dir(
        &report.dir,
        &PlotOptions {
            comparison_outcomes: vec!["mean_mo".into()],
            ..PlotOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("comparison.csv: outcome `mean_mo` is not an outcome of this directory (did you mean `mean_m0`?)")
            && err.contains("civilian_fatalities, "),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn plan_path(dir: &str, name: &str) -> PathBuf {
    util::root().join("tests/data").join(dir).join(name)
}

#[test]
fn sweeps_get_heatmaps_effect_charts_and_simplex_views() {
    let dir = util::temp_dir("plots-sweeps");
    // Two factors: a heatmap with numeric levels sorted numerically.
    let plan = Plan::load(&plan_path("plans", "tiny-factorial.toml")).unwrap();
    let report = execute(&build::sweep(&plan), &exec(&dir.join("factorial"))).unwrap();
    let written = plot_dir(&report.dir, &PlotOptions::default()).unwrap();
    check_figure(
        &written,
        &report.dir,
        "sweep-heatmap-civilian_fatalities",
        &[
            "mean by mission.troops and mission.policy.allocation",
            "n = 2 runs per cell",
            "civilian_fatalities (people)",
            "top_down",
            "1500",
        ],
    );
    let written = plot_dir(
        &report.dir,
        &PlotOptions {
            outcome: Some("mean_m0".into()),
            ..PlotOptions::default()
        },
    )
    .unwrap();
    check_figure(&written, &report.dir, "sweep-heatmap-mean_m0", &["mean_m0"]);
    // Paper style: the factors in words, not their field paths.
    let written = plot_dir(
        &report.dir,
        &PlotOptions {
            look: peacesim::output::plot::Look::paper(peacesim::output::plot::Width::Single),
            formats: vec![Format::Svg],
            ..PlotOptions::default()
        },
    )
    .unwrap();
    let heatmap = written
        .iter()
        .find(|p| p.ends_with("sweep-heatmap-civilian_fatalities.svg"))
        .unwrap();
    let texts = svg_texts(heatmap).join(" ");
    assert!(
        texts.contains("Troops (mission)") && texts.contains("Allocation (policy)"),
        "{texts}"
    );
    assert!(!texts.contains("mission.troops") && !texts.contains("mission.policy"), "{texts}");
    let err = plot_dir(
        &report.dir,
        &PlotOptions {
            outcome: Some("mean_mo".into()),
            ..PlotOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("--outcome `mean_mo` is not an outcome column"), "{err}");
    assert!(err.contains("outcomes.csv") && err.contains("(did you mean `mean_m0`?)"), "{err}");
    // Every valid name is listed, so a user need not open the file.
    for name in ["civilian_fatalities", "mean_m0", "peak_displaced", "final_trust_in_mission"] {
        assert!(err.contains(name), "`{name}` not listed: {err}");
    }

    // One factor: an effect chart.
    let plan = Plan::load(&plan_path("plots", "one-factor.toml")).unwrap();
    let report = execute(&build::sweep(&plan), &exec(&dir.join("one"))).unwrap();
    let written = plot_dir(&report.dir, &PlotOptions::default()).unwrap();
    check_figure(
        &written,
        &report.dir,
        "sweep-effect-civilian_fatalities",
        &[
            "mean by mission.troops",
            "95 % CI of the mean",
            "mission.troops",
            "civilian_fatalities (people)",
            "3000",
        ],
    );

    // A Latin hypercube: a scatter (the points do not form a grid).
    let plan = Plan::load(&plan_path("plans", "tiny-lhs.toml")).unwrap();
    let report = execute(&build::sweep(&plan), &exec(&dir.join("lhs"))).unwrap();
    let written = plot_dir(&report.dir, &PlotOptions::default()).unwrap();
    check_figure(
        &written,
        &report.dir,
        "sweep-scatter-civilian_fatalities",
        &["mission.troops", "rules.targeting.troops_deterrence_per_1000"],
    );

    // Policy weights on the simplex: a ternary view faceted by the fourth pillar.
    let plan = Plan::load(&plan_path("plans", "tiny-simplex.toml")).unwrap();
    let report = execute(&build::sweep(&plan), &exec(&dir.join("simplex"))).unwrap();
    let written = plot_dir(&report.dir, &PlotOptions::default()).unwrap();
    check_figure(
        &written,
        &report.dir,
        "sweep-simplex-civilian_fatalities",
        &[
            "mean by policy weights",
            "empowerment = 0",
            "empowerment = 0.25",
            "empowerment = 1",
            "protection",
            "health",
            "economic",
            "civilian_fatalities (people)",
        ],
    );
    let written = plot_dir(
        &report.dir,
        &PlotOptions {
            simplex_facet: Some("protection".into()),
            formats: vec![Format::Svg],
            ..PlotOptions::default()
        },
    )
    .unwrap();
    check_svg(&written[0], &["protection = 0.5", "empowerment"]);
    let err = plot_dir(
        &report.dir,
        &PlotOptions {
            simplex_facet: Some("helth".into()),
            ..PlotOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown pillar `helth` (did you mean `health`?)"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn incomplete_directories_are_refused_with_a_clear_message() {
    let dir = util::temp_dir("plots-incomplete");
    let err = plot_dir(&dir, &PlotOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("no manifest.json") && msg.contains(&dir.display().to_string()),
        "{msg}"
    );
    assert_eq!(err.exit_code(), 2);
    assert!(!dir.join("figures").exists(), "nothing is written");
    // A manifest that says incomplete.
    let text = std::fs::read_to_string(run_dir().join("manifest.json"))
        .unwrap()
        .replace("\"complete\": true", "\"complete\": false");
    util::write(&dir, "manifest.json", &text);
    let msg = plot_dir(&dir, &PlotOptions::default()).unwrap_err().to_string();
    assert!(msg.contains("incomplete"), "{msg}");
    // A complete manifest over a broken file: an error naming the file and line, not a panic.
    std::fs::write(dir.join("manifest.json"), text.replace("\"complete\": false", "\"complete\": true")).unwrap();
    std::fs::write(dir.join("timeseries.csv"), "tick,day,seed,af_m0\n0,0,1,0.1\n1,1,1,oops\n").unwrap();
    let msg = plot_dir(
        &dir,
        &PlotOptions {
            indicators: vec!["af_m0".into()],
            ..PlotOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains("timeseries.csv") && msg.contains("line 3") && msg.contains("oops"),
        "{msg}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unknown_indicator_names_are_refused_with_a_suggestion() {
    let dir = run_dir();
    let err = plot_dir(
        dir,
        &PlotOptions {
            indicators: vec!["af_m0".into(), "displacd".into()],
            ..PlotOptions::default()
        },
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("unknown indicator `displacd` (did you mean `displaced`?)"), "{msg}");
    assert_eq!(err.exit_code(), 1);
    let msg = plot_dir(
        dir,
        &PlotOptions {
            map_indicator: Some("trust_in_misson".into()),
            ..PlotOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains("unknown locality indicator `trust_in_misson` (did you mean `trust_in_mission`?)"),
        "{msg}"
    );
}

/// A PNG's width, height and pixels per metre (its `pHYs` chunk), if it has one.
fn png_size_and_density(path: &Path) -> (u32, u32, Option<u32>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().unwrap();
    let info = reader.info();
    let density = info.pixel_dims.map(|d| {
        assert_eq!(d.unit, png::Unit::Meter, "{}", path.display());
        assert_eq!(d.xppu, d.yppu, "{}: square pixels", path.display());
        d.xppu
    });
    (info.width, info.height, density)
}

/// Pixels per metre of `dpi`.
fn ppm(dpi: u32) -> u32 {
    (f64::from(dpi) / 0.0254).round() as u32
}

/// The text of every `<text>` element of an SVG.
fn svg_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check_xml(&text, path)
}

#[test]
fn the_paper_style_has_no_titles_words_for_names_column_sizes_a_dpi_and_greyscale_safe_arms() {
    use peacesim::output::plot::{Look, PAPER_DPI, SCREEN_DPI, SCREEN_PNG_WIDTH, Width, paper_label};

    let dir = util::temp_dir("plots-paper");
    let base = util::scenario_path("tiny-conflict.toml");
    let mut arms = vec![
        build::parse_arm("base=", &base, &[]).unwrap(),
        build::parse_arm("robust=mission.mandate=\"robust\";mission.troops=2500", &base, &[]).unwrap(),
        build::parse_arm("none=mission.troops=0", &base, &[]).unwrap(),
    ];
    for a in &mut arms {
        a.scenario.apply_run_overrides(None, Some(20));
    }
    let report = execute(&build::comparison(&arms, 2, 4).unwrap(), &exec(&dir.join("c"))).unwrap();
    let figures = report.dir.join("figures");

    // Screen style: 2,000 px wide (as the README says), with a DPI.
    plot_dir(&report.dir, &PlotOptions::default()).unwrap();
    let (w, _, density) = png_size_and_density(&figures.join("compare-af_m0.png"));
    assert_eq!((w, density), (SCREEN_PNG_WIDTH, Some(ppm(SCREEN_DPI))));

    let catalogue = peacesim::experiment::columns::catalogue();
    let af_m0 = catalogue.iter().find(|c| c.file == "timeseries.csv" && c.name == "af_m0").unwrap();
    let expected_label = paper_label(&af_m0.meaning);
    assert_eq!(expected_label, "Alkire-Foster adjusted headcount M0");
    for (width, pixels, mm) in [(Width::Single, 1004, "85mm"), (Width::Double, 2102, "178mm")] {
        let written = plot_dir(
            &report.dir,
            &PlotOptions {
                look: Look::paper(width),
                ..PlotOptions::default()
            },
        )
        .unwrap();
        for path in written.iter().filter(|p| p.extension().is_some_and(|e| e == "png")) {
            let (w, h, density) = png_size_and_density(path);
            assert_eq!(w, pixels, "{}: {width:?} column at {PAPER_DPI} dpi", path.display());
            assert_eq!(density, Some(ppm(PAPER_DPI)), "{}: pHYs at {PAPER_DPI} dpi", path.display());
            assert!(h > 300, "{}: {h} px high", path.display());
            check_png(path);
        }
        for path in written.iter().filter(|p| p.extension().is_some_and(|e| e == "svg")) {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(text.contains(&format!("width=\"{mm}\"")), "{}: printed width {mm}", path.display());
            let texts = svg_texts(path);
            let joined = texts.join(" ");
            assert!(!joined.contains('`'), "{}: backticks in {joined}", path.display());
            for title in [
                "Change in outcomes by arm",
                "Human security by arm",
                "replicates per arm",
                "95 % CI",
            ] {
                assert!(
                    !joined.contains(title),
                    "{}: title or caption `{title}` in a paper figure",
                    path.display()
                );
            }
        }
        // Axis labels in words, from the catalogue; no column names.
        let m0 = svg_texts(&figures.join("compare-af_m0.svg"));
        let m0_text = m0.join(" ");
        assert!(m0_text.contains(&expected_label), "{m0_text}");
        assert!(m0_text.contains("(index 0-1)") && m0_text.contains("Time (days)"), "{m0_text}");
        assert!(!m0.iter().any(|t| t.contains("af_m0")), "{m0_text}");
        let differences = svg_texts(&figures.join("compare-differences.svg"));
        let differences_text = differences.join(" ");
        assert!(differences_text.contains("Civilian fatalities"), "{differences_text}");
        for raw in ["civilian_fatalities", "mean_m0", "peak_displaced"] {
            assert!(!differences.iter().any(|t| t.contains(raw)), "{raw} in {differences_text}");
        }
    }

    // Arms differ by more than colour: each arm's line has its own dash pattern and marker.
    let svg = std::fs::read_to_string(figures.join("compare-af_m0.svg")).unwrap();
    let colours = ["#0072B2", "#D55E00", "#009E73"];
    let count = |element: &str, colour: &str| {
        svg.lines()
            .filter(|l| l.contains(element) && l.to_ascii_uppercase().contains(colour))
            .count()
    };
    // Solid line: one path; dashed lines: many pieces.
    assert!(count("<polyline", colours[0]) <= 3, "arm 0 is solid");
    assert!(count("<polyline", colours[1]) > 10, "arm 1 is dashed");
    assert!(count("<polyline", colours[2]) > 10, "arm 2 is dotted");
    // Markers: circles, squares, triangles.
    assert!(count("<circle", colours[0]) >= 5, "arm 0 has circle markers");
    assert!(count("<rect", colours[1]) >= 5, "arm 1 has square markers");
    assert!(count("<polygon", colours[2]) >= 5, "arm 2 has triangle markers");
    // (The legend's band swatch is a rectangle of every arm's colour.)
    assert!(
        count("<circle", colours[1]) == 0 && count("<rect", colours[2]) <= 1,
        "one marker per arm"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

//! `peacesim serve`: input validation and path handling over HTTP, and an end-to-end test that
//! drives the page in headless Chromium (Chrome DevTools Protocol over a WebSocket) and checks
//! that it shows the numbers `peacesim whatif` gives for the same settings.
//!
//! The end-to-end test needs Debian's `chromium` (installed by `.ci/run`). Without it the test
//! says so and passes, unless `PEACESIM_REQUIRE_BROWSER` is set, as CI sets it, so that a fresh
//! clone's `cargo test --release` needs nothing but the Rust toolchain.
#![expect(clippy::print_stderr, reason = "says when the browser test is skipped")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util;

/// A running `peacesim serve` on a free port; killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(out: &Path) -> Self {
        Self::start_with(out, &[])
    }

    /// With environment variables set (`PEACESIM_SERVE_RUNS`, `PEACESIM_SERVE_KEEP_*`).
    fn start_with(out: &Path, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(util::bin())
            .args(["serve", "--port", "0", "--threads", "2", "--out", out.to_str().unwrap()])
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("peacesim dashboard: ")
            .expect("prints its address")
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "binds to this machine only by default: {url}");
        Self { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 request; returns (status, body).
fn http(url: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    request(url, "", method, path, body)
}

/// A request from a browser session (the page sends its id in `X-Peacesim-Session`).
fn http_as(url: &str, session: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    request(url, &format!("X-Peacesim-Session: {session}\r\n"), method, path, body)
}

fn request(url: &str, extra_headers: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra_headers}Connection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly Content-Length bytes: Chromium's DevTools server keeps the
    // connection open whatever the request says.
    let mut reader = BufReader::new(s);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut length = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body).unwrap();
        }
        None => {
            reader.read_to_end(&mut body).unwrap();
        }
    }
    (status, String::from_utf8(body).unwrap())
}

#[test]
fn the_server_validates_input_and_serves_nothing_outside_its_assets() {
    let dir = util::temp_dir("serve-http");
    let server = Server::start(&dir);
    let url = &server.url;
    assert_eq!(http(url, "GET", "/", "").0, 200);
    assert_eq!(http(url, "GET", "/app.js", "").0, 200);
    let (status, scenarios) = http(url, "GET", "/api/scenarios", "");
    assert_eq!(status, 200);
    assert!(scenarios.contains("\"unmil-ebola\"") && !scenarios.contains("epstein"));
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/src/serve/mod.rs",
        "/api/runs/1/files/..%2F..%2FCargo.toml",
        "/api/runs/1/files/%2Fetc%2Fpasswd",
        "/api/runs/x",
        "/etc/passwd",
    ] {
        assert_eq!(http(url, "GET", path, "").0, 404, "{path} must be refused");
    }
    let refused = |body: &str, needle: &str| {
        let (status, text) = http(url, "POST", "/api/runs", body);
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains(needle), "{body}: {text}");
    };
    refused("{not json", "malformed request");
    refused(r#"{"scenario":"../Cargo","replicates":4}"#, "unknown scenario");
    refused(r#"{"scenario":"tiny-epidemic","replicates":1000}"#, "replicates must be in");
    refused(r#"{"scenario":"tiny-epidemic","replicates":4}"#, "nothing to compare");
    refused(
        r#"{"scenario":"tiny-epidemic","replicates":4,"set":{"run.ticks":5}}"#,
        "cannot be changed",
    );
    refused(
        r#"{"scenario":"tiny-epidemic","replicates":4,"set":{"mission.troops":-5}}"#,
        "mission.troops",
    );
    refused(
        r#"{"scenario":"tiny-epidemic","replicates":4,"set":{"mission.policy.weights":{"protection":0.9,"health":0.5,"economic":0,"empowerment":0}}}"#,
        "must sum to 1",
    );
    // A request larger than the limit.
    let big = format!(r#"{{"scenario":"{}","replicates":4}}"#, "x".repeat(70_000));
    assert_eq!(http(url, "POST", "/api/runs", &big).0, 413, "a body over the limit is refused");
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Sends a raw request text and returns the status code of the answer (0 if the server closed
/// the connection without one).
fn raw_status(url: &str, request: &str) -> u16 {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(s);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap_or(0);
    status_line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[test]
fn foreign_hosts_foreign_origins_and_silent_clients_are_refused() {
    // Issue 21: any web page the user visits could start runs (a `text/plain` POST needs no
    // preflight), a domain name resolved to this machine (DNS rebinding) could read results and
    // local paths, and a client that sends nothing held its connection forever.
    let dir = util::temp_dir("serve-origin");
    let server = Server::start(&dir);
    let url = &server.url;
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let port = host.rsplit_once(':').unwrap().1;
    let get = |host_header: &str| {
        raw_status(
            url,
            &format!("GET /api/scenarios HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n"),
        )
    };
    assert_eq!(get(host), 200);
    assert_eq!(get(&format!("localhost:{port}")), 200);
    assert_eq!(get(&format!("evil.example:{port}")), 403, "a domain name is refused");
    let body = r#"{"scenario":"tiny-epidemic","replicates":4,"set":{"mission.troops":100}}"#;
    let post = |origin: &str| {
        raw_status(
            url,
            &format!(
                "POST /api/runs HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    assert_eq!(
        post("http://evil.example"),
        403,
        "a run started from another site's page is refused"
    );
    assert_eq!(http(url, "GET", "/api/runs/1", "").0, 404, "and no run exists");
    assert_eq!(post(&format!("http://{host}")), 202, "the dashboard's own page may start runs");
    // A client that connects and sends nothing is disconnected after the header timeout (5 s).
    let mut silent = TcpStream::connect(host).unwrap();
    silent.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 64];
    let _ = silent.read(&mut buffer);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(15),
        "a silent connection is closed: it stayed {waited:?}"
    );
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

// ---- many clients -----------------------------------------------------------------------------

/// A short what-if for a client: tiny-conflict with two pairs and its own troop count.
fn short_run(troops: u32) -> String {
    json!({ "scenario": "tiny-conflict", "replicates": 2, "set": { "mission.troops": troops } }).to_string()
}

/// A long what-if (fifty pairs of tiny-epidemic under a robust mandate): minutes, unless cancelled.
fn long_run() -> String {
    json!({ "scenario": "tiny-epidemic", "replicates": 50, "set": { "mission.mandate": "robust" } }).to_string()
}

/// Starts a run for `session`, retrying while the server says it is busy; returns the answer.
fn start_as(url: &str, session: &str, body: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, text) = http_as(url, session, "POST", "/api/runs", body);
        if status == 503 && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        assert_eq!(status, 202, "{session}: {text}");
        return serde_json::from_str(&text).unwrap();
    }
}

fn status_of(url: &str, id: u64) -> Value {
    let (status, text) = http(url, "GET", &format!("/api/runs/{id}"), "");
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// Polls a run until `until` holds for its status, or fails after `limit`.
fn wait_until(url: &str, id: u64, what: &str, limit: Duration, mut until: impl FnMut(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let status = status_of(url, id);
        if until(&status) {
            return status;
        }
        assert!(started.elapsed() < limit, "run {id}: timed out waiting for {what}: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn ended(status: &Value) -> bool {
    !matches!(status["state"].as_str(), Some("queued" | "running"))
}

/// The page's poll interval while a run goes, in milliseconds, as `app.js` sets it.
fn page_poll_ms(url: &str) -> u64 {
    let (_, js) = http(url, "GET", "/app.js", "");
    let line = js
        .lines()
        .find(|l| l.starts_with("const POLL_RUNNING_MS = "))
        .expect("app.js sets its poll interval");
    line.trim_start_matches("const POLL_RUNNING_MS = ")
        .trim_end_matches(';')
        .parse()
        .unwrap()
}

/// Polls a run as the page does (once per `every`, asking only for the live rows it has not
/// seen) until it ends; returns its last status, the places in line it saw, the slowest
/// answer, the bytes received and whether live rows came before the end.
fn poll_like_the_page(url: &str, id: u64, every: Duration) -> (Value, Vec<u64>, Duration, usize, bool) {
    let started = Instant::now();
    let (mut positions, mut slowest, mut bytes, mut live_early) = (Vec::new(), Duration::ZERO, 0, false);
    let (mut since, mut version) = (vec![0_usize, 0], "none".to_string());
    loop {
        let asked = Instant::now();
        let path = format!(
            "/api/runs/{id}?live={}&version={version}",
            since.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
        );
        let (status, text) = http(url, "GET", &path, "");
        slowest = slowest.max(asked.elapsed());
        bytes += text.len();
        assert_eq!(status, 200, "{text}");
        let s: Value = serde_json::from_str(&text).unwrap();
        if s["state"] == "queued" {
            positions.push(s["position"].as_u64().expect("a queued run has a place in line"));
        }
        if let Some(pair) = s["live"]["pair"].as_array() {
            for (arm, p) in pair.iter().enumerate() {
                let n = p["from"].as_u64().unwrap() as usize + p["rows"].as_array().unwrap().len();
                if arm < since.len() {
                    since[arm] = n;
                }
                if n > 0 && s["state"] == "running" {
                    live_early = true;
                }
            }
            version = s["live"]["version"].to_string();
        }
        if ended(&s) {
            return (s, positions, slowest, bytes, live_early);
        }
        assert!(started.elapsed() < Duration::from_secs(900), "run {id} did not end: {s}");
        std::thread::sleep(every);
    }
}

#[test]
fn twenty_clients_at_once_all_finish_and_none_cancels_another() {
    // Issue 22: every new run cancelled every other client's (six clients: one done, five
    // cancelled). Twenty sessions start at once, two runs go at a time, the rest wait in line;
    // each polls as the page does (live rows included), and the server still answers promptly.
    let dir = util::temp_dir("serve-load");
    let server = Server::start_with(&dir, &[("PEACESIM_SERVE_RUNS", "2")]);
    let url = server.url.clone();
    let every = Duration::from_millis(page_poll_ms(&url));
    assert!(every >= Duration::from_secs(1), "the page polls at most once a second: {every:?}");
    let began = Instant::now();
    let clients: Vec<_> = (0..20_u32)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                let session = format!("client-{i:02}-of-the-class");
                let answer = start_as(&url, &session, &short_run(100 + 10 * i));
                let id = answer["id"].as_u64().unwrap();
                assert_eq!(answer["session"], json!(session), "the run is the session's");
                let (last, positions, slowest, bytes, live) = poll_like_the_page(&url, id, every);
                let (_, history) = http_as(&url, &session, "GET", "/api/history", "");
                let history: Value = serde_json::from_str(&history).unwrap();
                (session, id, last, positions, slowest, bytes, live, history)
            })
        })
        .collect();
    let results: Vec<_> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let took = began.elapsed();
    let mut ids: Vec<u64> = results.iter().map(|r| r.1).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20, "one run each");
    for (session, id, last, positions, slowest, _, _, history) in &results {
        assert_eq!(last["state"], "done", "{session}'s run {id} did not finish: {last}");
        assert_eq!(last["done"], last["total"], "{session}: {last}");
        assert_eq!(last["ticks"], last["ticks_total"], "{session}: every tick counted: {last}");
        assert!(
            last["result"]["rows"].as_array().is_some_and(|r| !r.is_empty()),
            "{session}: a table"
        );
        assert_eq!(last["slots"], 2);
        assert!(
            positions.windows(2).all(|w| w[1] <= w[0]),
            "{session}: a place in line only moves forward: {positions:?}"
        );
        assert!(
            *slowest < Duration::from_secs(2),
            "{session}: a poll took {slowest:?} with twenty clients"
        );
        let listed: Vec<u64> = history["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect();
        assert_eq!(listed, vec![*id], "{session}'s history lists its own run only");
    }
    let waited = results.iter().filter(|r| !r.3.is_empty()).count();
    assert!(waited >= 10, "with two slots most of twenty runs wait in line; {waited} did");
    assert!(
        results.iter().any(|r| r.3.iter().any(|&p| p >= 10)),
        "a late client sees its place far back in the queue"
    );
    let live = results.iter().filter(|r| r.6).count();
    assert!(live >= 10, "most clients saw live rows before their run ended; {live} did");
    let bytes: usize = results.iter().map(|r| r.5).sum();
    // What the polling costs (shown with --nocapture).
    eprintln!(
        "twenty clients: all done in {took:?}; slowest poll {:?}; {} kB polled in all",
        results.iter().map(|r| r.4).max().unwrap(),
        bytes / 1024
    );
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_new_run_replaces_only_its_own_sessions_run_and_only_the_owner_cancels() {
    let dir = util::temp_dir("serve-sessions");
    let server = Server::start_with(&dir, &[("PEACESIM_SERVE_RUNS", "2")]);
    let url = &server.url;
    let (alice, bob) = ("alice-session-1", "bob-session-22");
    let a1 = start_as(url, alice, &long_run())["id"].as_u64().unwrap();
    let b1 = start_as(url, bob, &long_run())["id"].as_u64().unwrap();
    for id in [a1, b1] {
        wait_until(url, id, "both long runs to start", Duration::from_secs(60), |s| {
            s["state"] == "running"
        });
    }
    // Nobody else can cancel a run: not another session, not a request without one.
    assert_eq!(http_as(url, alice, "POST", &format!("/api/runs/{b1}/cancel"), "").0, 403);
    assert_eq!(http(url, "POST", &format!("/api/runs/{b1}/cancel"), "").0, 403);
    assert_eq!(http_as(url, "not a session id!", "GET", "/api/scenarios", "").0, 400);
    // Alice changes her settings and runs again: her first run stops, Bob's goes on.
    let a2 = start_as(url, alice, &short_run(400))["id"].as_u64().unwrap();
    let a1_end = wait_until(url, a1, "Alice's first run to stop", Duration::from_secs(60), ended);
    assert_eq!(a1_end["state"], "cancelled", "{a1_end}");
    assert!(a1_end["done"].as_u64() < a1_end["total"].as_u64(), "stopped early: {a1_end}");
    let a2_end = wait_until(url, a2, "Alice's second run", Duration::from_secs(300), ended);
    assert_eq!(a2_end["state"], "done", "{a2_end}");
    assert_eq!(status_of(url, b1)["state"], "running", "Bob's run was not touched");
    // With one slot taken by Bob's run, two more of Alice's: the second replaces the first
    // in the queue or in its slot; Bob's run is still untouched; then Bob stops his own.
    let a3 = start_as(url, alice, &long_run())["id"].as_u64().unwrap();
    let a4 = start_as(url, alice, &short_run(500))["id"].as_u64().unwrap();
    assert_eq!(
        wait_until(url, a3, "Alice's third run to stop", Duration::from_secs(60), ended)["state"],
        "cancelled"
    );
    assert_eq!(
        wait_until(url, a4, "Alice's fourth run", Duration::from_secs(300), ended)["state"],
        "done"
    );
    assert_eq!(status_of(url, b1)["state"], "running", "Bob's run was still not touched");
    assert_eq!(http_as(url, bob, "POST", &format!("/api/runs/{b1}/cancel"), "").0, 200);
    assert_eq!(
        wait_until(url, b1, "Bob's run to stop", Duration::from_secs(60), ended)["state"],
        "cancelled"
    );
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_queued_run_replaced_by_its_session_keeps_its_place_in_line() {
    let dir = util::temp_dir("serve-queue");
    let server = Server::start_with(&dir, &[("PEACESIM_SERVE_RUNS", "1")]);
    let url = &server.url;
    let bob = start_as(url, "bob-session-22", &long_run())["id"].as_u64().unwrap();
    wait_until(url, bob, "Bob's run to start", Duration::from_secs(60), |s| s["state"] == "running");
    let alice = start_as(url, "alice-session-1", &short_run(200));
    let carol = start_as(url, "carol-session-333", &short_run(300));
    assert_eq!((alice["position"].clone(), carol["position"].clone()), (json!(1), json!(2)));
    // Alice changes her mind while waiting: her new run takes her place, not the back of the line.
    let again = start_as(url, "alice-session-1", &short_run(250));
    assert_eq!(again["position"], json!(1), "{again}");
    let first = alice["id"].as_u64().unwrap();
    assert_eq!(status_of(url, first)["state"], "cancelled");
    let carol = carol["id"].as_u64().unwrap();
    assert_eq!(status_of(url, carol)["position"], json!(2));
    assert_eq!(status_of(url, bob)["state"], "running", "Bob's run was not touched");
    // Carol leaves the queue; Alice moves up behind Bob.
    assert_eq!(
        http_as(url, "carol-session-333", "POST", &format!("/api/runs/{carol}/cancel"), "").0,
        200
    );
    assert_eq!(status_of(url, carol)["state"], "cancelled");
    assert_eq!(
        http_as(url, "bob-session-22", "POST", &format!("/api/runs/{bob}/cancel"), "").0,
        200
    );
    let again = again["id"].as_u64().unwrap();
    let end = wait_until(url, again, "Alice's run", Duration::from_secs(300), ended);
    assert_eq!(end["state"], "done", "{end}");
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A dashboard run folder as the server writes it, created `hours` ago, with `bytes` of data.
fn dashboard_folder(out: &Path, name: &str, hours: u64, bytes: usize) -> std::path::PathBuf {
    let folder = out.join(name);
    std::fs::create_dir_all(folder.join("whatif-seed-1-00000000")).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    std::fs::write(
        folder.join("dashboard-run.json"),
        json!({ "peacesim_dashboard_run": 1, "created_unix": now - hours * 3600 }).to_string(),
    )
    .unwrap();
    std::fs::write(folder.join("whatif-seed-1-00000000/outcomes.csv"), vec![b'1'; bytes]).unwrap();
    folder
}

#[test]
fn old_runs_are_removed_by_age_and_size_but_never_a_running_one_nor_anything_else() {
    let dir = util::temp_dir("serve-cleanup");
    let out = dir.join("runs");
    std::fs::create_dir_all(&out).unwrap();
    let day_old = dashboard_folder(&out, "run-1-old", 30, 1000);
    let recent = dashboard_folder(&out, "run-2-recent", 2, 1000);
    // Not the dashboard's: no marker (whatever the name and age), files beside the runs.
    let mine = out.join("run-3-my-own-folder");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.csv"), vec![b'x'; 3_000_000]).unwrap();
    std::fs::write(out.join("README.txt"), "mine").unwrap();
    // Keep 24 hours, 1 MB (a tiny-conflict what-if writes about 3 MB).
    let server = Server::start_with(
        &out,
        &[
            ("PEACESIM_SERVE_RUNS", "2"),
            ("PEACESIM_SERVE_KEEP_HOURS", "24"),
            ("PEACESIM_SERVE_KEEP_MB", "1"),
        ],
    );
    let url = &server.url;
    // On start, the run older than 24 hours goes; the recent one fits in 1 MB and stays.
    let started = Instant::now();
    while day_old.exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "the old run was not removed");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(recent.exists(), "a recent run within the size limit stays");
    // A long run is going while a short one ends: the runs are now beyond 1 MB, so the oldest
    // finished ones go, the running one stays.
    let long = start_as(url, "alice-session-1", &long_run())["id"].as_u64().unwrap();
    let running = wait_until(url, long, "the long run to start", Duration::from_secs(60), |s| {
        s["state"] == "running" && s["done"].as_u64() > Some(0)
    });
    let running_folder = Path::new(running["dir"].as_str().unwrap()).parent().unwrap().to_path_buf();
    let short = start_as(url, "bob-session-22", &short_run(300))["id"].as_u64().unwrap();
    let short_end = wait_until(url, short, "the short run", Duration::from_secs(300), ended);
    assert_eq!(short_end["state"], "done");
    let short_folder = Path::new(short_end["dir"].as_str().unwrap()).parent().unwrap().to_path_buf();
    let started = Instant::now();
    while recent.exists() || short_folder.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "finished runs beyond the size limit were not removed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(status_of(url, long)["state"], "running");
    assert!(running_folder.join("dashboard-run.json").exists(), "the running run's folder stays");
    assert!(mine.join("notes.csv").exists(), "a folder without the marker is never removed");
    assert!(out.join("README.txt").exists());
    assert_eq!(
        http_as(url, "alice-session-1", "POST", &format!("/api/runs/{long}/cancel"), "").0,
        200
    );
    wait_until(url, long, "the long run to stop", Duration::from_secs(60), ended);
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

// ---- the browser ------------------------------------------------------------------------------

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
        .map(str::to_string)
}

/// A headless Chromium page driven over the DevTools protocol.
struct Browser {
    child: Child,
    socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next: u64,
}

impl Browser {
    fn start(binary: &str, profile: &Path) -> Self {
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=1400,1800",
                &format!("--user-data-dir={}", profile.display()),
                "about:blank",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut port = None;
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("DevTools listening on ws://") {
                port = rest.split('/').next().map(str::to_string);
                break;
            }
        }
        // Keep draining Chromium's log so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let host = port.expect("Chromium prints its DevTools address");
        let (_, list) = http(&format!("http://{host}"), "GET", "/json/list", "");
        let targets: Value = serde_json::from_str(&list).unwrap();
        let page = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page target");
        let ws = page["webSocketDebuggerUrl"].as_str().unwrap().to_string();
        let (socket, _) = tungstenite::connect(ws.as_str()).unwrap();
        Self { child, socket, next: 1 }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        let msg = json!({ "id": id, "method": method, "params": params }).to_string();
        self.socket.send(tungstenite::Message::text(msg)).unwrap();
        loop {
            if let tungstenite::Message::Text(t) = self.socket.read().unwrap() {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    assert!(v.get("error").is_none(), "{method}: {v}");
                    return v["result"].clone();
                }
            }
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}");
        r["result"]["value"].clone()
    }

    /// Waits until `condition` (a JavaScript expression) is true.
    fn wait_for(&mut self, condition: &str, what: &str, limit: Duration) {
        let start = Instant::now();
        while self.eval(condition) != Value::Bool(true) {
            assert!(start.elapsed() < limit, "timed out waiting for {what}; status: {}", self.eval("document.getElementById('status').textContent + ' ' + document.getElementById('message').textContent + ' ' + JSON.stringify([...document.querySelectorAll('img')].map(i => [i.alt, i.complete, i.naturalWidth]))"));
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Browser {
    /// Asks Chromium to close (so that it stops its helper processes, which write into the
    /// profile), waits for it a while, and kills it only if it does not go.
    fn drop(&mut self) {
        let id = self.next;
        let close = json!({ "id": id, "method": "Browser.close", "params": {} }).to_string();
        let _ = self.socket.send(tungstenite::Message::text(close));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Removes a browser test's directory. Chromium's crash handler can outlive the browser by a
/// moment and still write into the profile, so a "directory not empty" is retried for a while.
fn remove_browser_dir(dir: &Path) {
    let start = Instant::now();
    loop {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(_) if start.elapsed() < Duration::from_secs(20) => {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("cannot remove {}: {e}", dir.display()),
        }
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &d)| acc | (u32::from(d) << (18 - 6 * i)));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn the_page_runs_a_what_if_and_shows_the_numbers_peacesim_whatif_gives() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var_os("PEACESIM_REQUIRE_BROWSER").is_none(),
            "PEACESIM_REQUIRE_BROWSER is set but no chromium was found (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium found (apt-get install chromium to run the dashboard's browser test)");
        return;
    };
    let dir = util::temp_dir("serve-browser");
    let server = Server::start(&dir.join("runs"));
    let mut browser = Browser::start(&binary, &dir.join("profile"));
    browser.call("Page.navigate", json!({ "url": server.url }));
    browser.wait_for(
        "document.body && document.body.dataset.ready === 'true'",
        "the page to load",
        Duration::from_secs(30),
    );

    // Pick a scenario, give health half the weight, four pairs, run.
    browser.eval(
        "(() => { const s = document.getElementById('scenario'); s.value = 'tiny-epidemic';
                  s.dispatchEvent(new Event('change')); return s.value; })()",
    );
    // A long run (a robust mandate), then a change of settings while it runs: the run goes on
    // (issue 22: touching a control cancelled it), the page says that what runs is from the
    // previous settings; only Cancel stops it.
    let mandate = browser.eval("document.getElementById('mandate').value");
    browser.eval(
        "(() => { const m = document.getElementById('mandate'); m.value = 'robust'; m.dispatchEvent(new Event('input')); return true; })()",
    );
    browser.eval(
        "(() => { const r = document.getElementById('replicates'); r.value = '50'; r.dispatchEvent(new Event('input')); return true; })()",
    );
    browser.eval("document.getElementById('run').click(), true");
    browser.wait_for(
        "document.getElementById('status').textContent.startsWith('running')",
        "the long run to start",
        Duration::from_secs(30),
    );
    browser.eval(
        "(() => { const w = document.getElementById('w-health'); w.value = '0.5';
                  w.dispatchEvent(new Event('input')); return true; })()",
    );
    browser.wait_for(
        "!document.getElementById('stale-note').hidden",
        "the note that the run is from the previous settings",
        Duration::from_secs(10),
    );
    let note = browser.eval("document.getElementById('stale-note').textContent");
    assert!(note.as_str().unwrap().contains("previous settings"), "{note}");
    std::thread::sleep(Duration::from_secs(3));
    let going = status_of(&server.url, 1);
    assert_eq!(going["state"], "running", "a touched control does not cancel the run: {going}");
    assert!(
        browser
            .eval("document.getElementById('status').textContent")
            .as_str()
            .is_some_and(|s| s.starts_with("running")),
        "the page still shows the run going"
    );
    // A reloaded page finds its run in the session's history and follows it again.
    browser.call("Page.reload", json!({}));
    browser.wait_for(
        "document.body && document.body.dataset.ready === 'true'
            && document.getElementById('status').textContent.startsWith('running')
            && !document.getElementById('cancel').disabled",
        "the reloaded page to follow the run",
        Duration::from_secs(30),
    );
    browser.eval("document.getElementById('cancel').click(), true");
    browser.wait_for(
        "document.getElementById('status').textContent === 'cancelled'",
        "the page to cancel the run",
        Duration::from_secs(30),
    );
    let start = Instant::now();
    loop {
        let (_, status) = http(&server.url, "GET", "/api/runs/1", "");
        let status: Value = serde_json::from_str(&status).unwrap();
        if status["state"] == "cancelled" {
            assert!(
                status["done"].as_u64() < status["total"].as_u64(),
                "cancelled before it finished: {status}"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the server did not cancel the run: {status}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The reload set the controls back to the first scenario as it is: the same settings again.
    set_control(&mut browser, "scenario", "tiny-epidemic", "change");
    set_control(&mut browser, "w-health", "0.5", "input");
    browser.eval(&format!(
        "(() => {{ const m = document.getElementById('mandate'); m.value = {mandate}; m.dispatchEvent(new Event('input')); return true; }})()"
    ));
    let shown = browser
        .eval("['protection','health','economic','empowerment'].map(p => document.getElementById('w-' + p + '-number').value).join(' ')");
    assert_eq!(
        shown,
        json!("0.500 0.500 0.000 0.000"),
        "the other weights make room so that they sum to 1"
    );
    browser.eval(
        "(() => { const r = document.getElementById('replicates'); r.value = '4'; r.dispatchEvent(new Event('input')); return true; })()",
    );
    browser.eval("document.getElementById('run').click(), true");
    browser.wait_for(
        "document.getElementById('status').textContent === 'done' && document.querySelectorAll('#table tbody tr').length > 0",
        "the results",
        Duration::from_secs(180),
    );
    browser.wait_for(
        "(() => { const i = [...document.querySelectorAll('#figures img')];
                  return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0)
                      && document.querySelectorAll('#charts figure').length >= 3
                      && document.querySelectorAll('#maps figure').length === 2; })()",
        "every chart to load",
        Duration::from_secs(30),
    );
    let rows = browser.eval(
        "JSON.stringify([...document.querySelectorAll('#table tbody tr')].map(r => [r.dataset.outcome, Number(r.dataset.asIs), Number(r.dataset.whatIf), r.cells[3].textContent]))",
    );
    let rows: Vec<(String, f64, f64, String)> = serde_json::from_str(rows.as_str().unwrap()).unwrap();
    let command = browser.eval("document.getElementById('command').textContent");
    let command = command.as_str().unwrap().to_string();
    assert!(
        command.starts_with("peacesim whatif tiny-epidemic --set 'mission.policy.weights="),
        "{command}"
    );

    if let Some(path) = std::env::var_os("PEACESIM_SCREENSHOT") {
        let shot = browser.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": 1400, "height": 1560, "scale": 1 } }),
        );
        std::fs::write(path, decode_base64(shot["data"].as_str().unwrap())).unwrap();
    }
    drop(browser);
    drop(server);

    // The same settings through the command line, from the command the page shows.
    let cli_dir = dir.join("cli");
    let script = format!(
        "{} --out '{}' --quiet",
        command.replacen("peacesim", &format!("'{}'", util::bin().display()), 1),
        cli_dir.display()
    );
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(cli_dir.join("whatif.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (o, a, w) = (col("outcome"), col("as_is_mean"), col("what_if_mean"));
    let cli: Vec<(String, f64, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[o].to_string(), f[a].parse().unwrap(), f[w].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), cli.len(), "same outcomes on the page and in whatif.csv");
    for ((outcome, as_is, what_if, change), (c_outcome, c_as_is, c_what_if)) in rows.iter().zip(&cli) {
        assert_eq!(outcome, c_outcome);
        assert!(
            (as_is - c_as_is).abs() <= 1e-9 * c_as_is.abs().max(1.0),
            "{outcome}: page {as_is}, whatif {c_as_is}"
        );
        assert!(
            (what_if - c_what_if).abs() <= 1e-9 * c_what_if.abs().max(1.0),
            "{outcome}: page {what_if}, whatif {c_what_if}"
        );
        assert!(!change.is_empty());
    }
    let deaths = rows.iter().find(|r| r.0 == "epidemic_deaths").expect("epidemic deaths are shown");
    assert!(
        deaths.2 < deaths.1,
        "a health-weighted policy lowers epidemic deaths here: {deaths:?}"
    );
    remove_browser_dir(&dir);
}

/// Sets a control of the page and tells the page it changed, as a user would.
fn set_control(browser: &mut Browser, id: &str, value: &str, event: &str) {
    browser.eval(&format!(
        "(() => {{ const c = document.getElementById('{id}'); c.value = '{value}'; c.dispatchEvent(new Event('{event}')); return true; }})()"
    ));
}

#[test]
fn two_browsers_share_the_server_one_waits_in_line_and_neither_cancels_the_other() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var_os("PEACESIM_REQUIRE_BROWSER").is_none(),
            "PEACESIM_REQUIRE_BROWSER is set but no chromium was found (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium found (apt-get install chromium to run the dashboard's browser test)");
        return;
    };
    let dir = util::temp_dir("serve-two-browsers");
    // One run at a time, so that the second browser's run waits in line.
    let server = Server::start_with(&dir.join("runs"), &[("PEACESIM_SERVE_RUNS", "1")]);
    // Two profiles: two browsers, each with its own session id in its own localStorage.
    let mut first = Browser::start(&binary, &dir.join("profile-1"));
    let mut second = Browser::start(&binary, &dir.join("profile-2"));
    for browser in [&mut first, &mut second] {
        browser.call("Page.navigate", json!({ "url": server.url }));
        browser.wait_for(
            "document.body && document.body.dataset.ready === 'true'",
            "the page to load",
            Duration::from_secs(30),
        );
    }
    let sessions = [&mut first, &mut second].map(|b| b.eval("localStorage.getItem('peacesim-session')"));
    assert!(sessions[0].is_string() && sessions[0] != sessions[1], "{sessions:?}");

    // The first runs a long what-if; the second a short one, which waits for it.
    set_control(&mut first, "scenario", "tiny-epidemic", "change");
    set_control(&mut first, "mandate", "robust", "input");
    set_control(&mut first, "replicates", "50", "input");
    first.eval("document.getElementById('run').click(), true");
    first.wait_for(
        "document.getElementById('status').textContent.startsWith('running')",
        "the first browser's run to start",
        Duration::from_secs(30),
    );
    set_control(&mut second, "scenario", "tiny-conflict", "change");
    set_control(&mut second, "replicates", "2", "input");
    set_control(&mut second, "lever-0", "700", "input");
    second.eval("document.getElementById('run').click(), true");
    second.wait_for(
        "document.getElementById('status').textContent.startsWith('queued: 1st in line')",
        "the second browser to show its place in line",
        Duration::from_secs(30),
    );
    // The status is at the top of the page, in view without scrolling.
    let top = second.eval("document.getElementById('status').getBoundingClientRect().top");
    assert!(top.as_f64().is_some_and(|t| (0.0..300.0).contains(&t)), "status at {top}");
    assert!(
        first
            .eval("document.getElementById('status').textContent")
            .as_str()
            .is_some_and(|s| s.starts_with("running")),
        "the second browser's run did not cancel the first's"
    );
    // The first cancels its own run; the second's then runs to the end.
    first.eval("document.getElementById('cancel').click(), true");
    first.wait_for(
        "document.getElementById('status').textContent === 'cancelled'",
        "the first browser's run to stop",
        Duration::from_secs(30),
    );
    second.wait_for(
        "document.getElementById('status').textContent === 'done' && document.querySelectorAll('#table tbody tr').length > 0",
        "the second browser's results",
        Duration::from_secs(180),
    );
    let states: Vec<Value> = (1..=2).map(|id| status_of(&server.url, id)["state"].clone()).collect();
    assert_eq!(states, vec![json!("cancelled"), json!("done")]);
    drop(first);
    drop(second);
    drop(server);
    remove_browser_dir(&dir);
}

// ---- levers -----------------------------------------------------------------------------------

/// The site levers of a scenario as `/api/scenarios` lists them: (locality, path).
fn site_levers(scenarios: &Value, name: &str) -> Vec<(String, String)> {
    let info = scenarios
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} is listed"));
    info["levers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["group"] == "site")
        .map(|l| (l["label"].as_str().unwrap().to_string(), l["path"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn every_protection_site_is_a_lever_named_by_its_locality_and_reaches_the_scenario() {
    use peacesim::experiment::whatif::request::{Request, prepare};
    // Issue 22: only the first site was offered (Juba, while the tutorial asks about Malakal).
    let scenarios: Value = serde_json::to_value(peacesim::serve::scenario_infos()).unwrap();
    let unmiss = site_levers(&scenarios, "unmiss-poc-sites");
    let names: Vec<&str> = unmiss.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 5, "UNMISS has five sites: {names:?}");
    assert!(names.contains(&"Malakal") && names.contains(&"Juba"), "{names:?}");
    assert_eq!(site_levers(&scenarios, "baseline").len(), 4);
    assert!(
        site_levers(&scenarios, "tiny-epidemic").is_empty(),
        "a scenario without sites offers none"
    );
    // Each site's posture set to its own value reaches that site, and only that site.
    for name in ["unmiss-poc-sites", "baseline"] {
        let levers = site_levers(&scenarios, name);
        let value = |i: usize| 0.05 * (i + 1) as f64;
        let prepared = prepare(&Request {
            scenario: name.into(),
            alt: None,
            set: levers
                .iter()
                .enumerate()
                .map(|(i, (_, path))| format!("{path}={}", value(i)))
                .collect(),
            ticks: Some(2),
            replicates: 2,
            seed: None,
            formats: Vec::new(),
            look: peacesim::output::Look::default(),
        })
        .unwrap();
        let [as_is, what_if] = [0, 1].map(|arm| prepared.experiment.scenarios.get(arm).unwrap().as_peacesim().unwrap().clone());
        for (i, (locality, _)) in levers.iter().enumerate() {
            let posture = |s: &peacesim::scenario::Scenario| {
                s.localities
                    .iter()
                    .find(|l| &l.name == locality)
                    .unwrap()
                    .site
                    .as_ref()
                    .unwrap()
                    .guard_posture
            };
            assert!((posture(&what_if) - value(i)).abs() < 1e-12, "{name}: {locality}");
            assert!(
                (posture(&as_is) - value(i)).abs() > 1e-9,
                "{name}: {locality} differs between the arms"
            );
        }
    }
}

#[test]
fn bad_levers_are_refused_naming_the_field() {
    let dir = util::temp_dir("serve-levers");
    let server = Server::start(&dir);
    let url = &server.url;
    let (_, scenarios) = http(url, "GET", "/api/scenarios", "");
    let scenarios: Value = serde_json::from_str(&scenarios).unwrap();
    let epidemic = scenarios.as_array().unwrap().iter().find(|s| s["name"] == "tiny-epidemic").unwrap();
    assert_eq!(epidemic["ticks"], json!(240));
    let most = epidemic["ticks_max"].as_u64().unwrap();
    assert!(most >= 240, "at least the scenario's own length: {most}");
    let refused = |body: Value, needle: &str| {
        let (status, text) = http(url, "POST", "/api/runs", &body.to_string());
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains(needle), "{body}: {text}");
    };
    let with = |extra: Value| {
        let mut body = json!({ "scenario": "tiny-epidemic", "replicates": 2, "set": { "mission.troops": 100 } });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for ticks in [json!(0), json!(-3), json!(1.5), json!("60"), json!(most + 1), json!(1_000_000)] {
        refused(with(json!({ "ticks": ticks })), "ticks must be a whole number from 1 to");
    }
    refused(with(json!({ "mode": "both" })), "mode must be");
    refused(with(json!({ "mode": "as_is" })), "set: the scenario as it is");
    refused(
        with(json!({ "set": { "mission.policy.weights": { "protection": 0.3, "health": 0.5, "economic": 0.1, "empowerment": 0.099 } } })),
        "mission.policy.weights: must sum to 1",
    );
    refused(
        with(json!({ "set": { "mission.policy.blend_share": 0.4 } })),
        "mission.policy.blend_share",
    );
    refused(
        with(json!({ "set": { "mission.policy.allocation": "blend", "mission.policy.blend_share": 1.5 } })),
        "mission.policy.blend_share",
    );
    let (_, path) = site_levers(&scenarios, "tiny-conflict").remove(0);
    refused(
        json!({ "scenario": "tiny-conflict", "replicates": 2, "set": { path.clone(): 1.5 } }),
        "guard_posture_share",
    );
    // A site lever of another scenario is not this scenario's to change.
    refused(
        json!({ "scenario": "tiny-epidemic", "replicates": 2, "set": { path: 0.5 } }),
        "cannot be changed from the dashboard",
    );
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The largest tick in a run directory's `series.csv`.
fn last_tick(dir: &Path) -> u64 {
    // A what-if's arm labels hold its changes, commas included: read it as CSV.
    let mut reader = csv::Reader::from_path(dir.join("series.csv")).unwrap();
    let tick = reader.headers().unwrap().iter().position(|h| h == "tick").unwrap();
    reader.records().map(|r| r.unwrap()[tick].parse::<u64>().unwrap()).max().unwrap()
}

#[test]
fn typed_weights_every_site_and_the_run_length_reach_the_run() {
    let dir = util::temp_dir("serve-weights");
    let server = Server::start(&dir);
    let url = &server.url;
    let (_, scenarios) = http(url, "GET", "/api/scenarios", "");
    let scenarios: Value = serde_json::from_str(&scenarios).unwrap();
    let (_, site) = site_levers(&scenarios, "tiny-conflict").remove(0);
    let body = json!({
        "scenario": "tiny-conflict", "replicates": 2, "seed": 5, "ticks": 30,
        "set": {
            "mission.policy.weights": { "protection": 0.3, "health": 0.5, "economic": 0.1, "empowerment": 0.1 },
            site.clone(): 0.95,
        }
    });
    let id = start_as(url, "weights-session-1", &body.to_string())["id"].as_u64().unwrap();
    let end = wait_until(url, id, "the run", Duration::from_secs(300), ended);
    assert_eq!(end["state"], "done", "{end}");
    let result = &end["result"];
    assert_eq!(result["mode"], "what_if");
    assert_eq!(result["ticks"], json!(30));
    let command = result["command"].as_str().unwrap();
    assert!(
        command.contains("--set 'mission.policy.weights={ economic = 0.1, empowerment = 0.1, health = 0.5, protection = 0.3 }'"),
        "the weights exactly as sent: {command}"
    );
    assert!(command.contains(&format!("--set '{site}=0.95'")), "{command}");
    assert!(command.contains("--ticks 30"), "{command}");
    let run_dir = Path::new(end["dir"].as_str().unwrap());
    assert_eq!(last_tick(run_dir), 30, "both arms ran 30 ticks, not the scenario's 120");
    // The what-if arm's scenario carries the site's posture; the as-is arm's does not.
    let overrides = |arm: &str| {
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(run_dir.join(format!("run-{arm}/manifest.json"))).unwrap()).unwrap();
        manifest["scenario"]["overrides"].to_string()
    };
    assert!(overrides("what-if").contains(&format!("{site}=0.95")), "{}", overrides("what-if"));
    assert!(!overrides("as-is").contains("guard_posture_share"), "{}", overrides("as-is"));
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_scenario_as_it_is_runs_alone_with_the_numbers_peacesim_run_gives() {
    let dir = util::temp_dir("serve-as-is");
    let server = Server::start(&dir.join("runs"));
    let url = &server.url;
    let body = json!({ "scenario": "tiny-conflict", "replicates": 3, "seed": 7, "ticks": 60, "mode": "as_is" });
    let id = start_as(url, "as-is-session-1", &body.to_string())["id"].as_u64().unwrap();
    let end = wait_until(url, id, "the run", Duration::from_secs(300), ended);
    assert_eq!(end["state"], "done", "{end}");
    assert_eq!(end["done"], end["total"]);
    assert_eq!(end["total"], json!(4), "three replicates and one run for the map");
    let result = &end["result"];
    assert_eq!(result["mode"], "as_is");
    let command = result["command"].as_str().unwrap();
    assert_eq!(command, "peacesim run tiny-conflict --replicates 3 --seed 7 --ticks 60");
    let run_dir = Path::new(end["dir"].as_str().unwrap());
    assert_eq!(last_tick(run_dir), 60);
    let files: Vec<&str> = result["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(files.contains(&"run-as-is/figures/map-af_m0.svg"), "{files:?}");
    assert!(!files.iter().any(|f| f.starts_with("run-what-if")), "no what-if arm: {files:?}");
    let rows = result["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["outcome"] == "civilian_fatalities"), "{rows:?}");
    assert!(rows.iter().all(|r| r.get("what_if").is_none()));

    // The same means as the command shown gives on the command line (its outcomes.csv).
    let cli_dir = dir.join("cli");
    let script = format!(
        "{} --out '{}' --quiet",
        command.replacen("peacesim", &format!("'{}'", util::bin().display()), 1),
        cli_dir.display()
    );
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut reader = csv::Reader::from_path(cli_dir.join("outcomes.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    for row in rows {
        let outcome = row["outcome"].as_str().unwrap();
        let k = header.iter().position(|h| h == outcome).unwrap();
        let mean = records.iter().map(|r| r[k].parse::<f64>().unwrap()).sum::<f64>() / 3.0;
        let page = row["as_is"].as_f64().unwrap();
        assert!(
            (page - mean).abs() <= 1e-12 * mean.abs().max(1.0),
            "{outcome}: page {page}, run {mean}"
        );
    }
    // And the numbers, intervals included, of the as-is column of a what-if with the same seed,
    // replicates and length: the runs are the same, and so are the bootstrap streams.
    let what_if = json!({ "scenario": "tiny-conflict", "replicates": 3, "seed": 7, "ticks": 60,
                          "set": { "mission.mandate": "robust" } });
    let id = start_as(url, "as-is-session-1", &what_if.to_string())["id"].as_u64().unwrap();
    let paired = wait_until(url, id, "the what-if", Duration::from_secs(300), ended);
    assert_eq!(paired["state"], "done", "{paired}");
    let column = |result: &Value| -> Vec<Value> {
        result["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| json!([r["outcome"], r["as_is"], r["as_is_low"], r["as_is_high"]]))
            .collect()
    };
    // Every outcome not zero as is, none left out and none shifted.
    let beside: Vec<Value> = column(&paired["result"]).into_iter().filter(|r| r[1] != json!(0.0)).collect();
    assert_eq!(column(result), beside, "the as-is column of the what-if");
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Types `text` into a field as a user would (focus, select what is there, type, leave the
/// field), so that the page sees the same events.
fn type_into(browser: &mut Browser, id: &str, text: &str) {
    browser.eval(&format!(
        "(() => {{ const c = document.getElementById('{id}'); c.focus(); c.select(); return true; }})()"
    ));
    browser.call("Input.insertText", json!({ "text": text }));
    browser.eval(&format!("document.getElementById('{id}').blur(), true"));
}

/// Whether an element is displayed with some height (a reason shown on the page, not only in
/// a tooltip) and its text.
fn shown_text(browser: &mut Browser, id: &str) -> Option<String> {
    let v = browser.eval(&format!(
        "(() => {{ const e = document.getElementById('{id}'); return e && e.offsetHeight > 0 && e.checkVisibility() ? e.textContent : null; }})()"
    ));
    v.as_str().map(str::to_string)
}

/// Elements of the settings card that stick out of it, and whether the page scrolls sideways.
fn overflow(browser: &mut Browser) -> Value {
    let text = browser.eval(
        "(() => { const card = document.getElementById('controls').getBoundingClientRect();
                  const out = [...document.querySelectorAll('#controls *')].filter(e => {
                      const r = e.getBoundingClientRect();
                      return r.width > 0 && (r.right > card.right + 0.5 || r.left < card.left - 0.5); })
                    .map(e => e.id || e.tagName.toLowerCase() + '.' + e.className);
                  return JSON.stringify({ outside: out,
                      sideways: document.documentElement.scrollWidth > window.innerWidth }); })()",
    );
    serde_json::from_str(text.as_str().unwrap()).unwrap()
}

/// Shows the page at `width` × `height` CSS pixels and saves a screenshot of the whole page
/// (`full`) or of what is in view, as `name` in `dir` and, when `PEACESIM_SCREENSHOT_DIR` is
/// set, there too (to look at, and for the README's figure).
fn screenshot(browser: &mut Browser, dir: &Path, name: &str, size: (u32, u32), full: bool) {
    screenshot_from(browser, dir, name, size, full, None);
}

/// As [`screenshot`], from the top of the element `from` (a CSS selector) when given.
fn screenshot_from(browser: &mut Browser, dir: &Path, name: &str, (width, height): (u32, u32), full: bool, from: Option<&str>) {
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
    );
    let page_height = browser
        .eval("document.documentElement.scrollHeight")
        .as_f64()
        .unwrap_or(f64::from(height));
    let top = from.map_or(0.0, |selector| {
        browser
            .eval(&format!(
                "document.querySelector('{selector}').getBoundingClientRect().top + window.scrollY"
            ))
            .as_f64()
            .unwrap_or(0.0)
    });
    let clip_height = if full { (page_height - top).min(4000.0) } else { f64::from(height) };
    let shot = browser.call(
        "Page.captureScreenshot",
        json!({ "format": "png", "captureBeyondViewport": full || from.is_some(),
                "clip": { "x": 0, "y": top, "width": width, "height": clip_height, "scale": 1 } }),
    );
    let png = decode_base64(shot["data"].as_str().unwrap());
    std::fs::write(dir.join(name), &png).unwrap();
    if let Some(keep) = std::env::var_os("PEACESIM_SCREENSHOT_DIR") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(Path::new(&keep).join(name), &png).unwrap();
    }
}

/// The bodies of the page's run requests, as sent (the test wraps `fetch`).
fn sent_runs(browser: &mut Browser) -> Vec<Value> {
    let text = browser.eval("JSON.stringify(window.sentRuns)");
    let bodies: Vec<String> = serde_json::from_str(text.as_str().unwrap()).unwrap();
    bodies.iter().map(|b| serde_json::from_str(b).unwrap()).collect()
}

#[test]
fn the_page_takes_typed_weights_every_site_the_run_length_and_says_why_a_lever_is_off() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var_os("PEACESIM_REQUIRE_BROWSER").is_none(),
            "PEACESIM_REQUIRE_BROWSER is set but no chromium was found (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium found (apt-get install chromium to run the dashboard's browser test)");
        return;
    };
    let dir = util::temp_dir("serve-levers-browser");
    let server = Server::start(&dir.join("runs"));
    let mut browser = Browser::start(&binary, &dir.join("profile"));
    browser.call("Page.navigate", json!({ "url": server.url }));
    browser.wait_for(
        "document.body && document.body.dataset.ready === 'true'",
        "the page to load",
        Duration::from_secs(30),
    );
    // Every run request the page sends, kept for the test.
    browser.eval(
        "(() => { window.sentRuns = []; const send = window.fetch;
                  window.fetch = (url, options) => {
                      if (url === '/api/runs' && options && options.body) window.sentRuns.push(options.body);
                      return send(url, options); };
                  return true; })()",
    );
    let scenarios: Value = serde_json::to_value(peacesim::serve::scenario_infos()).unwrap();

    // Every protection site of UNMISS has its control, named by its locality.
    set_control(&mut browser, "scenario", "unmiss-poc-sites", "change");
    let labels = browser.eval("JSON.stringify([...document.querySelectorAll('#site-levers label')].map(l => l.textContent))");
    let labels: Vec<String> = serde_json::from_str(labels.as_str().unwrap()).unwrap();
    let expected: Vec<String> = site_levers(&scenarios, "unmiss-poc-sites").into_iter().map(|(n, _)| n).collect();
    assert_eq!(labels, expected);
    assert!(labels.iter().any(|l| l == "Malakal"), "{labels:?}");
    // Its mandate change on tick 177 sets the weights: the page says so, unless the run ends first.
    let note = shown_text(&mut browser, "weights-note").expect("a note on the scenario's own weights");
    assert!(note.contains("mandate change sets the weights"), "{note}");
    set_control(&mut browser, "ticks", "100", "input");
    assert_eq!(
        shown_text(&mut browser, "weights-note"),
        None,
        "no note when the run ends before the change"
    );

    // A scenario without sites says so instead of offering nothing.
    set_control(&mut browser, "scenario", "tiny-epidemic", "change");
    let none = shown_text(&mut browser, "sites-reason").expect("a reason for no site controls");
    assert!(none.contains("no protection sites"), "{none}");

    // The tutorial's weights, typed.
    set_control(&mut browser, "scenario", "tiny-conflict", "change");
    for (pillar, typed) in [
        ("protection", "0.3"),
        ("health", "0.5"),
        ("economic", "0.1"),
        ("empowerment", "0.1"),
    ] {
        type_into(&mut browser, &format!("w-{pillar}-number"), typed);
    }
    let shown = browser.eval(
        "['protection','health','economic','empowerment'].map(p => document.getElementById('w-' + p + '-number').value + '/' + document.getElementById('w-' + p).value).join(' ') + ' sum ' + document.getElementById('weights-sum').textContent",
    );
    assert_eq!(shown, json!("0.300/0.3 0.500/0.5 0.100/0.1 0.100/0.1 sum 1.000"));

    // Levers that do nothing under the chosen rule are disabled, with the reason on the page.
    set_control(&mut browser, "allocation", "bottom_up", "input");
    let off = browser.eval("[...document.querySelectorAll('#weights input')].every(i => i.disabled)");
    assert_eq!(off, json!(true), "weights are off under bottom-up allocation");
    let why = shown_text(&mut browser, "weights-reason").expect("the reason is shown");
    assert!(why.contains("bottom-up"), "{why}");
    assert!(shown_text(&mut browser, "blend-reason").is_some_and(|r| r.contains("only under blend")));
    set_control(&mut browser, "allocation", "blend", "input");
    assert_eq!(shown_text(&mut browser, "weights-reason"), None);
    assert_eq!(shown_text(&mut browser, "blend-reason"), None);
    type_into(&mut browser, "blend-number", "1");
    assert!(shown_text(&mut browser, "weights-reason").is_some_and(|r| r.contains("blend share of 1")));
    type_into(&mut browser, "blend-number", "0.5");
    assert_eq!(shown_text(&mut browser, "weights-reason"), None);
    set_control(&mut browser, "allocation", "top_down", "input");
    set_control(&mut browser, "mandate", "observer", "input");
    let posture = lever_index(&scenarios, "tiny-conflict", "mission.posture_share");
    assert_eq!(
        browser.eval(&format!("document.getElementById('lever-{posture}').disabled")),
        json!(true)
    );
    let why = shown_text(&mut browser, &format!("lever-{posture}-reason")).expect("the posture's reason is shown");
    assert!(why.contains("observer"), "{why}");
    // A run length out of range is refused on the page with its reason.
    set_control(&mut browser, "ticks", "100000", "input");
    assert!(shown_text(&mut browser, "ticks-error").is_some_and(|r| r.contains("from 1 to 240")));
    screenshot(&mut browser, &dir, "dashboard-levers-1024.png", (1024, 1000), true);
    let out = overflow(&mut browser);
    assert_eq!(out, json!({ "outside": [], "sideways": false }), "at 1024 px wide");

    // Back to the scenario's mandate; 30 ticks, two pairs; run.
    let mandate = scenarios.as_array().unwrap().iter().find(|s| s["name"] == "tiny-conflict").unwrap()["mandate"].clone();
    set_control(&mut browser, "mandate", mandate.as_str().unwrap(), "input");
    assert_eq!(shown_text(&mut browser, &format!("lever-{posture}-reason")), None);
    set_control(&mut browser, "ticks", "30", "input");
    set_control(&mut browser, "replicates", "2", "input");
    browser.eval("document.getElementById('run').click(), true");
    browser.wait_for(
        "document.getElementById('status').textContent === 'done' && document.querySelectorAll('#table tbody tr').length > 0",
        "the what-if's results",
        Duration::from_secs(300),
    );
    browser.wait_for(
        "(() => { const i = [...document.querySelectorAll('#figures img')];
                  return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0)
                      && document.querySelectorAll('#charts figure').length >= 3; })()",
        "every chart to load",
        Duration::from_secs(30),
    );
    let sent = sent_runs(&mut browser);
    let what_if = &sent[0];
    assert_eq!(what_if["ticks"], json!(30));
    let weights = &what_if["set"]["mission.policy.weights"];
    assert_eq!(
        *weights,
        json!({ "protection": 0.3, "health": 0.5, "economic": 0.1, "empowerment": 0.1 }),
        "exactly what was typed"
    );
    let thousandths: i64 = ["protection", "health", "economic", "empowerment"]
        .iter()
        .map(|p| (weights[p].as_f64().unwrap() * 1000.0).round() as i64)
        .sum();
    assert_eq!(thousandths, 1000);
    assert!(what_if["set"].get("mission.policy.blend_share").is_none(), "{what_if}");
    let command = browser.eval("document.getElementById('command').textContent");
    assert!(
        command
            .as_str()
            .unwrap()
            .contains("economic = 0.1, empowerment = 0.1, health = 0.5, protection = 0.3")
            && command.as_str().unwrap().contains("--ticks 30"),
        "{command}"
    );
    screenshot(&mut browser, &dir, "dashboard-levers-1400.png", (1400, 1000), false);
    assert_eq!(overflow(&mut browser), json!({ "outside": [], "sideways": false }), "at 1400 px");

    // The scenario as it is, alone.
    browser.eval("document.getElementById('run-as-is').click(), true");
    browser.wait_for(
        "document.getElementById('status').textContent === 'done' && document.getElementById('result-title').textContent.endsWith('as it is')",
        "the run of the scenario as it is",
        Duration::from_secs(300),
    );
    let sent = sent_runs(&mut browser);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["mode"], "as_is");
    assert!(sent[1].get("set").is_none(), "{}", sent[1]);
    let head = browser.eval("document.querySelector('#table thead').textContent");
    assert!(
        head.as_str().unwrap().contains("95 % CI of the mean") && !head.as_str().unwrap().contains("What if"),
        "{head}"
    );
    browser.wait_for(
        "(() => { const i = [...document.querySelectorAll('#figures img')];
                  return i.length === 1 && i.every(x => x.complete && x.naturalWidth > 0)
                      && document.querySelectorAll('#maps figure').length === 1; })()",
        "the as-is charts to load",
        Duration::from_secs(30),
    );
    screenshot(&mut browser, &dir, "dashboard-as-is-1024.png", (1024, 1000), true);
    assert_eq!(overflow(&mut browser), json!({ "outside": [], "sideways": false }), "at 1024 px");
    drop(browser);
    drop(server);
    remove_browser_dir(&dir);
}

/// The index of a scenario's lever (the page's `lever-N` control) by its path.
fn lever_index(scenarios: &Value, name: &str, path: &str) -> usize {
    let info = scenarios.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap();
    info["levers"].as_array().unwrap().iter().position(|l| l["path"] == path).unwrap()
}

// ---- live and compare -------------------------------------------------------------------------

/// Starts a browser on the server's page, or says why not (`None`: skip the test).
fn browser_on(server: &Server, profile: &Path) -> Option<Browser> {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var_os("PEACESIM_REQUIRE_BROWSER").is_none(),
            "PEACESIM_REQUIRE_BROWSER is set but no chromium was found (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium found (apt-get install chromium to run the dashboard's browser test)");
        return None;
    };
    let mut browser = Browser::start(&binary, profile);
    browser.call("Page.navigate", json!({ "url": server.url }));
    browser.wait_for(
        "document.body && document.body.dataset.ready === 'true'",
        "the page to load",
        Duration::from_secs(30),
    );
    Some(browser)
}

/// The width in CSS pixels of the first element matching `selector`.
fn width_of(browser: &mut Browser, selector: &str) -> f64 {
    browser
        .eval(&format!("document.querySelector('{selector}').getBoundingClientRect().width"))
        .as_f64()
        .unwrap()
}

#[test]
fn the_page_draws_series_and_map_as_the_runs_go_and_compares_two_runs() {
    let dir = util::temp_dir("serve-live-browser");
    let server = Server::start(&dir.join("runs"));
    let Some(mut browser) = browser_on(&server, &dir.join("profile")) else {
        return;
    };
    // What the page shows while the run goes, sampled every 50 ms by the page itself.
    browser.eval(
        "(() => { window.seen = { progress: [], pair: false, mean: false, map: false, status: [] };
                  setInterval(() => {
                      const status = document.getElementById('status').textContent;
                      if (!status.startsWith('running')) return;
                      const v = document.getElementById('progress').value;
                      if (!window.seen.progress.includes(v)) window.seen.progress.push(v);
                      if (window.seen.status.length < 200) window.seen.status.push(status);
                      const lines = [...document.querySelectorAll('#charts polyline')].filter(l => l.getAttribute('points').length > 0);
                      if (lines.length > 0) window.seen.pair = true;
                      if ([...document.querySelectorAll('#charts .legend')].some(l => l.textContent.includes('mean of'))) window.seen.mean = true;
                      if (document.querySelectorAll('#maps circle').length > 0) window.seen.map = true;
                  }, 50);
                  return true; })()",
    );
    set_control(&mut browser, "scenario", "tiny-epidemic", "change");
    set_control(&mut browser, "w-health", "0.5", "input");
    set_control(&mut browser, "replicates", "12", "input");
    browser.eval("document.getElementById('run').click(), true");
    browser.wait_for(
        "document.getElementById('status').textContent === 'done' && document.querySelectorAll('#table tbody tr').length > 0",
        "the what-if's results",
        Duration::from_secs(300),
    );
    let seen: Value = serde_json::from_str(browser.eval("JSON.stringify(window.seen)").as_str().unwrap()).unwrap();
    assert_eq!(seen["pair"], true, "series drawn before the run ended: {seen}");
    assert_eq!(
        seen["mean"], true,
        "the ensemble's partial means drawn before the run ended: {seen}"
    );
    assert_eq!(seen["map"], true, "the map drawn before the run ended: {seen}");
    assert!(
        seen["progress"].as_array().unwrap().len() >= 4,
        "progress moves tick by tick, not only per run: {seen}"
    );
    assert!(
        seen["status"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().contains(" %")),
        "{seen}"
    );
    // The status is at the top of the page, in view.
    let top = browser.eval("document.getElementById('status').getBoundingClientRect().top");
    assert!(top.as_f64().is_some_and(|t| (0.0..300.0).contains(&t)), "status at {top}");

    // One chart per indicator, none twice; the static what-if figure is a download only.
    let series = browser.eval("JSON.stringify([...document.querySelectorAll('#charts figure')].map(f => f.dataset.series))");
    let series: Vec<String> = serde_json::from_str(series.as_str().unwrap()).unwrap();
    let mut unique = series.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), series.len(), "{series:?}");
    assert!(series.iter().any(|s| s == "epidemic_deaths_cumulative"), "{series:?}");
    assert_eq!(
        browser.eval("document.querySelectorAll('#results img, #panels img[src*=compare]').length"),
        json!(0)
    );

    // Values on hover: a chart says every line's value at the tick under the mouse.
    let readout = browser.eval(
        "(() => { const svg = document.querySelector('#charts figure svg'); const r = svg.getBoundingClientRect();
                  svg.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + r.width * 0.6, clientY: r.top + r.height / 2, bubbles: true }));
                  return svg.parentElement.querySelector('.readout').textContent; })()",
    );
    assert!(
        readout.as_str().unwrap().starts_with("Day ") && readout.as_str().unwrap().contains("what if"),
        "{readout}"
    );
    // The map: a time slider over every tick, both arms on one colour scale, values on hover.
    let ticks = browser.eval("Number(document.getElementById('map-tick').max)");
    assert!(ticks.as_f64().unwrap() >= 100.0, "{ticks}");
    let same_scale = browser.eval(
        "[...document.querySelectorAll('#maps circle')].every(c => c.dataset.value === '' ||
             c.getAttribute('fill') === colourOf(Number(c.dataset.value) / mapViews.map.hi))",
    );
    assert_eq!(same_scale, json!(true), "both maps use the one colour scale shown");
    assert!(
        browser
            .eval("document.getElementById('map-scale').textContent")
            .as_str()
            .unwrap()
            .contains("both maps")
    );
    // Play runs the map from the start to the end.
    set_control(&mut browser, "map-tick", "0", "input");
    browser.eval("document.getElementById('map-play').click(), true");
    browser.wait_for(
        "Number(document.getElementById('map-tick').value) > 0",
        "the map to play",
        Duration::from_secs(10),
    );
    browser.wait_for(
        "document.getElementById('map-tick').value === document.getElementById('map-tick').max
            && document.getElementById('map-play').textContent.includes('Play')",
        "the map to reach the end and stop",
        Duration::from_secs(30),
    );
    set_control(&mut browser, "map-tick", "0", "input");
    let day = browser.eval("document.getElementById('map-day').textContent");
    assert!(day.as_str().unwrap().starts_with("day 0"), "{day}");
    let at_start = browser.eval("JSON.stringify([...document.querySelectorAll('#maps circle')].map(c => c.dataset.value))");
    set_control(&mut browser, "map-tick", &ticks.to_string(), "input");
    let at_end = browser.eval("JSON.stringify([...document.querySelectorAll('#maps circle')].map(c => c.dataset.value))");
    assert_ne!(at_start, at_end, "the map changes over time");
    let hover = browser.eval(
        "(() => { const c = document.querySelector('#maps circle');
                  c.dispatchEvent(new MouseEvent('mouseenter'));
                  return c.dataset.name + '|' + document.getElementById('map-readout').textContent; })()",
    );
    let (name, said) = hover.as_str().unwrap().split_once('|').unwrap();
    assert!(said.starts_with(name) && said.contains("M0 as is"), "{said}");

    // The README's figure: the table, the series and the maps, at the top of the page.
    set_control(&mut browser, "map-tick", "120", "input");
    screenshot(&mut browser, &dir, "dashboard.png", (1400, 1900), false);
    // Readable panels: the human-security panels are wide enough to read at 1400 and 1024 px.
    for (width, name) in [(1400, "dashboard-live-1400.png"), (1024, "dashboard-live-1024.png")] {
        screenshot(&mut browser, &dir, name, (width, 1000), true);
        let panel = width_of(&mut browser, "#figures img");
        assert!(panel >= 700.0, "a human-security panel {panel} px wide at {width} px");
        let chart = width_of(&mut browser, "#charts figure svg");
        assert!(chart >= 400.0, "a chart {chart} px wide at {width} px");
        assert_eq!(overflow(&mut browser), json!({ "outside": [], "sideways": false }), "at {width} px");
    }
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false }),
    );

    // A second run, as it is; the history lists both and compares them side by side.
    browser.eval("document.getElementById('run-as-is').click(), true");
    browser.wait_for(
        "document.getElementById('status').textContent === 'done' && document.getElementById('result-title').textContent.endsWith('as it is')",
        "the run of the scenario as it is",
        Duration::from_secs(300),
    );
    browser.wait_for(
        "document.querySelectorAll('#history tbody tr').length === 2 && !document.getElementById('compare-button').disabled",
        "the history of both runs",
        Duration::from_secs(10),
    );
    browser.eval("document.getElementById('compare-button').click(), true");
    browser.wait_for(
        "!document.getElementById('compare').hidden && document.querySelectorAll('#compare-maps figure').length === 2",
        "the comparison",
        Duration::from_secs(30),
    );
    let compared = browser.eval(
        "JSON.stringify([...document.querySelectorAll('#compare-table tbody tr')].map(r => [r.dataset.outcome, r.cells[1].textContent, r.cells[2].textContent]))",
    );
    let compared: Vec<(String, String, String)> = serde_json::from_str(compared.as_str().unwrap()).unwrap();
    assert!(
        compared.iter().any(|(o, a, b)| o == "epidemic_deaths" && a != "–" && b != "–"),
        "{compared:?}"
    );
    let lines = browser.eval("document.querySelectorAll('#compare-charts figure')[0].querySelectorAll('polyline').length");
    assert_eq!(lines, json!(2), "both runs in one chart");
    let commands = browser.eval("document.getElementById('compare-commands').textContent");
    let commands = commands.as_str().unwrap();
    assert!(
        commands.contains("peacesim whatif tiny-epidemic") && commands.contains("peacesim run tiny-epidemic"),
        "{commands}"
    );
    let one_scale = browser.eval(
        "[...document.querySelectorAll('#compare-maps circle')].every(c => c.dataset.value === '' ||
             c.getAttribute('fill') === colourOf(Number(c.dataset.value) / mapViews.compare.hi))",
    );
    assert_eq!(one_scale, json!(true));
    browser.eval("window.scrollTo(0, 0), true");
    // The README's figure of the comparison: the history, the table, the series and the maps.
    screenshot_from(
        &mut browser,
        &dir,
        "dashboard-compare.png",
        (1400, 1600),
        false,
        Some("#history-box"),
    );
    for (width, name) in [(1400, "dashboard-compare-1400.png"), (1024, "dashboard-compare-1024.png")] {
        screenshot_from(&mut browser, &dir, name, (width, 1000), true, Some("#history-box"));
        assert_eq!(overflow(&mut browser), json!({ "outside": [], "sideways": false }), "at {width} px");
    }
    // An earlier run is shown again from the history.
    browser.eval("document.querySelector('#history .show-run[data-run=\"1\"]').click(), true");
    browser.wait_for(
        "document.getElementById('result-title').dataset.run === '1' && document.getElementById('result-title').textContent.endsWith('what if')",
        "the first run shown again",
        Duration::from_secs(30),
    );
    drop(browser);
    drop(server);
    remove_browser_dir(&dir);
}

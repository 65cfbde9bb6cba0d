//! `peacesim serve`: a what-if dashboard in the browser, for courses.
//!
//! A small HTTP/1.1 server (`hyper` on a one-thread `tokio` runtime; validation and runs go on
//! other threads, so that no request waits on another client's) serves a
//! page built into the binary (`assets/`: plain HTML, CSS and JavaScript; no CDN, works offline)
//! and a JSON API for many clients at once, each a browser session (a random id the page keeps
//! and sends as the `X-Peacesim-Session` header):
//!
//! - `GET /api/scenarios`: the built-in scenarios with a policy, their settings and levers
//!   (every protection site's guard posture, the run length's bounds, the mandate changes the
//!   scenario schedules);
//! - `POST /api/runs`: queues a what-if (as is against the settings from the page) as a paired
//!   ensemble, or with `"mode": "as_is"` the scenario as it is alone (as `peacesim run
//!   --replicates`), replacing the session's own queued or running run (never another
//!   session's); a what-if is validated exactly like `peacesim whatif`
//!   (`experiment::whatif::request::prepare`), so a bad value gets the same message as a bad
//!   scenario file, only the fields the page offers can be changed, and `ticks` must lie within
//!   the dashboard's bound for the scenario; a bounded number of runs go at once ([`Limits`]),
//!   the rest wait;
//! - `GET /api/runs/ID`: place in the queue, progress, or the result (the table, figures,
//!   downloads and the command line that reproduces it);
//!   with `?live=N0,N1&version=V`, also what the page has not drawn yet: each arm's map run
//!   from tick `N` on (national series and each locality's M0, as the run goes), and the
//!   ensemble's means over the runs finished so far unless the page has version `V` (`live.rs`);
//! - `GET /api/history`: the session's runs, newest first, with what each was and its command;
//! - `POST /api/runs/ID/cancel`: by the run's own session only;
//! - `GET /api/runs/ID/files/NAME`: one of the files the run wrote, by its listed name only.
//!
//! Old runs are removed by age and total size ([`housekeeping`]); the limits come from
//! `PEACESIM_SERVE_RUNS`, `PEACESIM_SERVE_KEEP_HOURS` and `PEACESIM_SERVE_KEEP_MB` when set.
//!
//! Every other path is refused (404); nothing outside the built-in assets and a run's listed
//! files is ever read.

mod api;
pub mod housekeeping;
mod jobs;
mod live;
mod work;

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, X_CONTENT_TYPE_OPTIONS};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};

use crate::error::{Error, Result};

pub use api::{AsIsRequest, Lever, PolicyChange, RunRequest, ScenarioInfo, scenario_infos};
pub use housekeeping::Keep;
pub use jobs::{Cancel, JobState, Jobs, Limits};

/// Options of `peacesim serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind, e.g. `127.0.0.1:8080` (port 0: any free port).
    pub address: String,
    /// Directory under which each run's files are written.
    pub out: PathBuf,
    /// Worker threads for runs (0 = all cores).
    pub threads: usize,
    /// Runs going at once (`None`: `PEACESIM_SERVE_RUNS` or one per two cores).
    pub max_runs: Option<usize>,
    /// Age in hours beyond which run folders are removed (`None`: `PEACESIM_SERVE_KEEP_HOURS` or 24).
    pub keep_hours: Option<f64>,
    /// Total size in megabytes beyond which the oldest run folders are removed (`None`:
    /// `PEACESIM_SERVE_KEEP_MB` or 2048).
    pub keep_mb: Option<f64>,
}

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");

/// How often the accept loop looks at `stop`.
const STOP_POLL: Duration = Duration::from_millis(200);

/// Runs the dashboard until `stop` returns true. `on_ready` receives the page's URL once the
/// server listens (the binary prints it).
///
/// Every connection is served concurrently (a browser opens several at once for a page's
/// images and keeps them alive), so no request waits on another connection.
///
/// # Errors
/// [`Error::Usage`] if the address cannot be bound or the runtime cannot start.
pub fn serve(options: &ServeOptions, stop: &(dyn Fn() -> bool + Sync), on_ready: &dyn Fn(&str)) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server: {e}")))?;
    let limits = limits_from(options)?;
    let jobs = Jobs::new(options.out.clone(), limits);
    let server = Arc::new(Server {
        jobs: jobs.clone(),
        validating: AtomicUsize::new(0),
        max_validating: (limits.concurrent * 4).max(64),
    });
    // The scenario list is built once, before the first client asks for it.
    let _ = api::cached_scenario_infos();
    // Runs left by an earlier server are cleaned up in the background.
    let cleaner = jobs.clone();
    std::thread::spawn(move || cleaner.housekeeping());
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&options.address)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", options.address)))?;
        let url = match listener.local_addr() {
            Ok(addr) => format!("http://{addr}/"),
            Err(_) => format!("http://{}/", options.address),
        };
        on_ready(&url);
        while !stop() {
            let Ok(accepted) = tokio::time::timeout(STOP_POLL, listener.accept()).await else {
                continue;
            };
            // A failed accept (a client that gave up, too many open files) ends that connection
            // only; wait a moment so that a persistent failure does not spin.
            let Ok((stream, _)) = accepted else {
                tokio::time::sleep(STOP_POLL).await;
                continue;
            };
            let server = Arc::clone(&server);
            tokio::task::spawn(async move {
                let service = service_fn(move |request| {
                    let server = Arc::clone(&server);
                    async move { Ok::<_, Infallible>(handle(request, &server).await) }
                });
                // A client that went away is not an error of the server.
                let _ = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_READ_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
        Ok(())
    });
    jobs.cancel_all();
    result
}

/// Reads the limits: `PEACESIM_SERVE_RUNS` (runs at once; default half the cores, at least 1),
/// `PEACESIM_SERVE_KEEP_HOURS` (default 24) and `PEACESIM_SERVE_KEEP_MB` (default 2048).
/// The limits from the options, falling back to the environment, then to the defaults.
fn limits_from(options: &ServeOptions) -> Result<Limits> {
    let mut limits = Limits::for_this_machine(options.threads);
    let read = |name: &str| -> Result<Option<f64>> {
        match std::env::var(name) {
            Err(_) => Ok(None),
            Ok(text) => match text.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(Error::Usage(format!("{name} must be a number >= 0, got `{text}`"))),
            },
        }
    };
    let given = |x: Option<f64>, flag: &str| -> Result<Option<f64>> {
        match x {
            Some(v) if !(v.is_finite() && v >= 0.0) => Err(Error::Usage(format!("{flag} must be a number >= 0, got {v}"))),
            other => Ok(other),
        }
    };
    #[expect(clippy::cast_precision_loss, reason = "a count of runs")]
    let runs = options.max_runs.map(|n| n as f64);
    if let Some(runs) = given(runs, "--max-runs")?.map_or_else(|| read("PEACESIM_SERVE_RUNS"), |v| Ok(Some(v)))? {
        limits.concurrent = (runs as usize).clamp(1, 1024);
    }
    if let Some(hours) = given(options.keep_hours, "--keep-hours")?.map_or_else(|| read("PEACESIM_SERVE_KEEP_HOURS"), |v| Ok(Some(v)))? {
        limits.keep.max_age = Duration::from_secs_f64((hours * 3600.0).min(1e12));
    }
    if let Some(mb) = given(options.keep_mb, "--keep-mb")?.map_or_else(|| read("PEACESIM_SERVE_KEEP_MB"), |v| Ok(Some(v)))? {
        limits.keep.max_bytes = (mb * 1024.0 * 1024.0).min(1e18) as u64;
    }
    Ok(limits)
}

/// What every connection shares.
struct Server {
    jobs: Jobs,
    /// Run requests being validated now, at most `max_validating` (more are told to retry).
    validating: AtomicUsize,
    max_validating: usize,
}

/// The header the page sends its session id in.
const SESSION_HEADER: &str = "x-peacesim-session";

/// The request's session id: `Ok(None)` without one, an error for one that is not 8 to 64
/// letters, digits, `-` or `_`.
fn session_of(request: &hyper::Request<Incoming>) -> std::result::Result<Option<String>, &'static str> {
    let Some(value) = request.headers().get(SESSION_HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(s) if (8..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {
            Ok(Some(s.to_string()))
        }
        _ => Err("the session id must be 8 to 64 letters, digits, - or _"),
    }
}

type Reply = Response<Full<Bytes>>;

fn text(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn json(status: u16, value: &serde_json::Value) -> Reply {
    text(status, "application/json; charset=utf-8", value.to_string())
}

fn error(status: u16, message: &str) -> Reply {
    json(status, &serde_json::json!({ "error": message }))
}

/// Largest request body accepted (a run request is a few hundred bytes).
const MAX_BODY: usize = 64 * 1024;

/// Time a client has to send a request's head before the connection is closed (a client that
/// opens a connection and sends nothing must not hold it forever).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a request is refused before it is routed, if it is: a `Host` that is not an IP address or
/// `localhost` (a web page whose domain name was made to resolve to this machine, "DNS
/// rebinding", would otherwise read results and local paths), or a state-changing request from
/// a page of another origin (any web site the user visits could otherwise start and cancel
/// runs: browsers send `Origin` with such requests, including `text/plain` ones that need no
/// preflight).
fn refused(request: &hyper::Request<Incoming>) -> Option<&'static str> {
    let header = |name: hyper::header::HeaderName| request.headers().get(name).and_then(|v| v.to_str().ok());
    let host = header(hyper::header::HOST)?;
    if !host_is_an_address(host) {
        return Some("this dashboard answers only requests addressed to an IP address or localhost");
    }
    if request.method() != Method::GET
        && let Some(origin) = header(hyper::header::ORIGIN)
        && !origin.strip_prefix("http://").is_some_and(|o| o.eq_ignore_ascii_case(host))
    {
        return Some("requests from pages of another origin are refused");
    }
    None
}

/// Whether a `Host` header names an IPv4 or bracketed IPv6 address or `localhost`, with or
/// without a port.
fn host_is_an_address(host: &str) -> bool {
    if let Some(rest) = host.strip_prefix('[') {
        let Some((address, port)) = rest.split_once(']') else {
            return false;
        };
        return address.parse::<std::net::Ipv6Addr>().is_ok()
            && (port.is_empty() || port.strip_prefix(':').is_some_and(|p| p.parse::<u16>().is_ok()));
    }
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.parse::<u16>().is_ok() => name,
        Some(_) => return false,
        None => host,
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

async fn handle(request: hyper::Request<Incoming>, server: &Arc<Server>) -> Reply {
    if let Some(reason) = refused(&request) {
        return error(403, reason);
    }
    let session = match session_of(&request) {
        Ok(s) => s,
        Err(message) => return error(400, message),
    };
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    match (&method, path.as_str()) {
        (&Method::GET, "/" | "/index.html") => text(200, "text/html; charset=utf-8", INDEX_HTML),
        (&Method::GET, "/app.js") => text(200, "text/javascript; charset=utf-8", APP_JS),
        (&Method::GET, "/style.css") => text(200, "text/css; charset=utf-8", STYLE_CSS),
        (&Method::GET, "/api/scenarios") => json(200, &serde_json::to_value(api::cached_scenario_infos()).unwrap_or_default()),
        (&Method::POST, "/api/runs") => match read_body(request.into_body()).await {
            Err((status, message)) => error(status, &message),
            Ok(body) => start_run(server, session, body).await,
        },
        (&Method::GET, "/api/history") => match session.as_deref() {
            Some(s) => json(200, &server.jobs.history(s)),
            None => error(400, "the history is per session: send the X-Peacesim-Session header"),
        },
        _ => {
            let query = request.uri().query().unwrap_or_default().to_string();
            route_run(&method, &path, &query, session.as_deref(), &server.jobs)
        }
    }
}

/// Validates and queues a run on a thread of its own (validation builds both scenarios, which
/// can take a second: on the connections' thread it would hold up every other client). A request
/// without a session id gets one of its own, returned with the run's id.
async fn start_run(server: &Arc<Server>, session: Option<String>, body: String) -> Reply {
    if server.jobs.queue_full() {
        return error(503, "too many runs are waiting; try again later");
    }
    if server.validating.fetch_add(1, Ordering::SeqCst) >= server.max_validating {
        server.validating.fetch_sub(1, Ordering::SeqCst);
        return error(503, "the server is busy checking other requests; try again in a moment");
    }
    let shared = Arc::clone(server);
    let checked = tokio::task::spawn_blocking(move || {
        let session = session.unwrap_or_else(new_session);
        let outcome = api::parse_run(&body).and_then(|run| shared.jobs.start(&session, &run));
        shared.validating.fetch_sub(1, Ordering::SeqCst);
        outcome.map(|id| (id, session))
    })
    .await;
    match checked {
        Ok(Ok((id, session))) => {
            let status = server.jobs.status(id).unwrap_or_default();
            json(
                202,
                &serde_json::json!({ "id": id, "session": session, "position": status["position"] }),
            )
        }
        Ok(Err(e)) => error(400, &e.to_string()),
        Err(_) => error(500, "the request could not be checked"),
    }
}

/// A session id for a client that sent none (scripts): unique in this server's life.
fn new_session() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("anonymous-{}-{nanos}", NEXT.fetch_add(1, Ordering::SeqCst))
}

/// Reads a body of at most [`MAX_BODY`] bytes as UTF-8; the error carries the status to answer.
async fn read_body(body: Incoming) -> std::result::Result<String, (u16, String)> {
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return Err((413, format!("the request is larger than {MAX_BODY} bytes")));
        }
        Err(e) => return Err((400, format!("could not read the request: {e}"))),
    };
    String::from_utf8(bytes.to_vec()).map_err(|_| (400, "the request is not UTF-8 text".to_string()))
}

/// `/api/runs/ID`, `/api/runs/ID/cancel`, `/api/runs/ID/files/NAME`; anything else is 404.
fn route_run(method: &Method, path: &str, query: &str, session: Option<&str>, jobs: &Jobs) -> Reply {
    let Some(rest) = path.strip_prefix("/api/runs/") else {
        return error(404, "not found");
    };
    let (id_text, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(id) = id_text.parse::<u64>() else {
        return error(404, "not found");
    };
    match (method, tail) {
        (&Method::GET, "") => match jobs.status_with(id, live_query(query).as_ref().map(|(s, v)| (s.as_slice(), *v))) {
            Some(v) => json(200, &v),
            None => error(404, "no such run"),
        },
        (&Method::POST, "cancel") => match jobs.cancel(id, session.unwrap_or_default()) {
            Cancel::Done => json(200, &serde_json::json!({ "cancelled": id })),
            Cancel::NoSuchRun => error(404, "no such run"),
            Cancel::NotYours => error(403, "this run belongs to another session"),
        },
        (&Method::GET, t) if t.starts_with("files/") => {
            let name = percent_decode(&t["files/".len()..]);
            match jobs.file(id, &name) {
                Some((bytes, content_type)) => text(200, content_type, bytes),
                None => error(404, "no such file in this run"),
            }
        }
        _ => error(404, "not found"),
    }
}

/// `live=N0,N1&version=V` (ticks of each arm's map run the page has drawn, the version of the
/// ensemble's means it has): `None` without `live`.
fn live_query(query: &str) -> Option<(Vec<usize>, u64)> {
    let mut since = None;
    let mut version = u64::MAX;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("live", v)) => since = Some(v.split(',').filter_map(|n| n.parse().ok()).take(8).collect()),
            Some(("version", v)) => version = v.parse().unwrap_or(u64::MAX),
            _ => {}
        }
    }
    since.map(|s| (s, version))
}

/// Decodes `%XX` escapes; invalid escapes are kept as they are (the name is then not found).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_decode_and_bad_ones_stay() {
        assert_eq!(percent_decode("figures%2Fwhatif.svg"), "figures/whatif.svg");
        assert_eq!(percent_decode("%2e%2e%2fetc"), "../etc");
        assert_eq!(percent_decode("a%zz"), "a%zz");
        assert_eq!(percent_decode("%4"), "%4");
    }
}

#[cfg(test)]
mod host_tests {
    use super::host_is_an_address;

    #[test]
    fn only_addresses_and_localhost_are_accepted_as_hosts() {
        for ok in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "192.168.1.20:8765",
            "localhost:8765",
            "LOCALHOST",
            "[::1]:8765",
            "[::1]",
        ] {
            assert!(host_is_an_address(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8765",
            "127.0.0.1.nip.io:80",
            "[::1",
            "[evil]:80",
            "127.0.0.1:port",
            "",
        ] {
            assert!(!host_is_an_address(bad), "{bad}");
        }
    }
}

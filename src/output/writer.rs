//! Who is writing: this process's identity in staging-directory names and output locks, and the
//! one rule for deciding that another writer is gone.
//!
//! Host names and process ids are not unique where file systems are shared: two containers may
//! both be process 1 on hosts of one name, and two machines may share a name. Each process
//! therefore draws a random token once, from the operating system (never from a simulation's
//! seeded generator), and names its machine by a key hashed from the kernel's boot id and its
//! PID namespace. The host name and process id are kept for the human-readable messages only.
//!
//! A writer is known to be gone only when its machine key equals ours (the same running kernel
//! and PID namespace, so that its process id means the same process here) and no such process
//! runs. A writer of another machine, of a machine that cannot be identified, or written by a
//! version of peacesim that recorded no key, is never presumed gone.

use std::path::Path;
use std::sync::OnceLock;

/// This machine's name (for the messages that name a writer), or `unknown-host`.
#[must_use]
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| {
            h.trim()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
                .collect::<String>()
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".to_string())
}

/// 16 lower-case hex digits drawn once per process from the operating system's random source
/// (`/dev/urandom`; where it cannot be read, the standard library's randomly keyed hasher, which
/// the OS seeds, mixed with the time and process id).
#[must_use]
pub fn process_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        use std::io::Read as _;
        let mut bytes = [0_u8; 8];
        let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
        let value = if from_os.is_ok() {
            u64::from_le_bytes(bytes)
        } else {
            use std::hash::{BuildHasher as _, Hasher as _};
            let mut h = std::hash::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            h.finish()
        };
        format!("{value:016x}")
    })
}

/// 12 hex digits naming the running kernel and this process's PID namespace (a hash of
/// `/proc/sys/kernel/random/boot_id` and `/proc/self/ns/pid`), or `unknown` when either cannot
/// be read (then no writer is ever presumed gone).
#[must_use]
pub fn machine_key() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok();
        let ns = std::fs::read_link("/proc/self/ns/pid").ok();
        match (boot, ns) {
            (Some(boot), Some(ns)) if !boot.trim().is_empty() => {
                let text = format!("{}|{}", boot.trim(), ns.display());
                crate::scenario::sha256_hex(text.as_bytes())[..12].to_string()
            }
            _ => "unknown".to_string(),
        }
    })
}

/// When this machine last started, in seconds since the Unix epoch (`btime` of `/proc/stat`),
/// if known.
#[must_use]
pub fn boot_time() -> Option<u64> {
    std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|t| t.trim().parse().ok())
}

/// This process's writer id, `PID-KEY-TOKEN` (no other `-`): unique across hosts and PID
/// namespaces sharing a file system, and enough for [`gone`] to judge.
#[must_use]
pub fn writer_id() -> String {
    format!("{}-{}-{}", std::process::id(), machine_key(), process_token())
}

/// Whether the writer with process `pid` on machine `key` (see [`machine_key`]) and token
/// `token` is known to be gone: same machine and PID namespace as this process, not this
/// process, and no process `pid` runs.
#[must_use]
pub fn gone(pid: u32, key: &str, token: &str) -> bool {
    let mine = machine_key();
    mine != "unknown"
        && key == mine
        && !(pid == std::process::id() || token == process_token())
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Parses a writer id `PID-KEY-TOKEN` (from the end of a name, so that what precedes it may hold
/// `-`): `(rest before it, pid, key, token)`.
#[must_use]
pub fn split_writer_id(text: &str) -> Option<(&str, u32, &str, &str)> {
    let mut parts = text.rsplitn(4, '-');
    let token = parts.next()?;
    let key = parts.next()?;
    let pid = parts.next()?.parse().ok()?;
    let rest = parts.next().unwrap_or("");
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(token, 16) && hex(key, 12)).then_some((rest, pid, key, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_id_is_random_per_process_and_parses_back() {
        let id = writer_id();
        assert_eq!(process_token().len(), 16);
        assert_ne!(process_token(), "0000000000000000");
        let name = format!("some-host-{id}");
        let (host, pid, key, token) = split_writer_id(&name).expect("parses");
        assert_eq!(host, "some-host");
        assert_eq!(pid, std::process::id());
        assert_eq!((key, token), (machine_key(), process_token()));
        assert!(split_writer_id("host-1-123456789").is_none(), "old names are not writer ids");
    }

    #[test]
    fn only_a_writer_of_this_machine_and_namespace_whose_process_is_gone_is_gone() {
        if machine_key() == "unknown" {
            return;
        }
        // Process ids above the kernel's maximum (4194304) never run.
        assert!(gone(4_000_000_000, machine_key(), "0123456789abcdef"));
        // The same pid and host name elsewhere (another boot or PID namespace): never judged.
        assert!(!gone(4_000_000_000, "0123456789ab", "0123456789abcdef"));
        // A running process, and this one.
        assert!(!gone(1, machine_key(), "0123456789abcdef"));
        assert!(!gone(std::process::id(), machine_key(), process_token()));
    }
}

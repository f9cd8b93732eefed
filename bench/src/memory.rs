//! The process's resident memory from `/proc/self/status` (Linux), and resetting its peak.

/// Resident set sizes in KiB.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Rss {
    /// `VmRSS`: resident now.
    pub(crate) current_kib: u64,
    /// `VmHWM`: the peak since start, or since the last [`reset_peak`].
    pub(crate) peak_kib: u64,
}

fn field(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Reads `VmRSS` and `VmHWM`; zeros where unavailable.
pub(crate) fn read() -> Rss {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    Rss {
        current_kib: field(&status, "VmRSS:").unwrap_or(0),
        peak_kib: field(&status, "VmHWM:").unwrap_or(0),
    }
}

/// Resets `VmHWM` to the current RSS (`echo 5 > /proc/self/clear_refs`, Linux 4.0+), so the next
/// [`read`] reports the peak of what ran in between. Returns whether the kernel accepted it.
pub(crate) fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// KiB as MiB with one decimal.
pub(crate) fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

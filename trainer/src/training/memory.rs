//! The process's peak memory, printed with every epoch, so that training at full dataset scale
//! shows what it costs as it runs (the scale bench, `scripts/bench-scale.sh`, reads it too).
//!
//! Hand-written: it is one line of `/proc/self/status` (`VmHWM`, the resident-set high-water
//! mark), which no crate we use exposes; other systems report nothing rather than a guess.

/// Peak resident memory of this process in bytes, where the system says (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.trim_start_matches("VmHWM:").trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kib * 1024)
}

/// `", peak memory 1.23 GiB"`, or nothing where the system does not say.
pub fn peak_note() -> String {
    peak_rss_bytes().map(|b| format!(", peak memory {:.2} GiB", b as f64 / (1u64 << 30) as f64)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_high_water_mark() {
        let status = "Name:\ttrainer\nVmPeak:\t 9000 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1024 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(2048 * 1024));
        assert_eq!(parse_vm_hwm("VmRSS: 1 kB"), None);
        #[cfg(target_os = "linux")]
        assert!(peak_rss_bytes().is_some_and(|b| b > 1 << 20), "a running test uses more than 1 MiB");
    }
}

//! A 1 GiB ATR file streams through the reader in bounded memory: the bytes are generated on
//! the fly (nothing on disk), and a counting allocator measures the peak heap while reading.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

use tsak::data::openpack::devices::ATR_LAYOUT;
use tsak::data::timeseries::TimeSeriesRows;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// An ATR CSV of `total` bytes (whole lines), produced line by line as it is read.
struct GeneratedAtr {
    remaining: u64,
    line: Vec<u8>,
    offset: usize,
    k: i64,
}

impl GeneratedAtr {
    fn new(total: u64) -> Self {
        let header = b"unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z\n".to_vec();
        Self { remaining: total, line: header, offset: 0, k: 0 }
    }

    fn next_line(&mut self) {
        let t = 1_634_178_333_900 + self.k * 1000 / 30;
        let a = (self.k % 1000) as f32 / 1000.0;
        self.line = format!("{t},{a:.4},-0.2500,0.9668,-9.97,14.68,3.25,0.9990,0.0100,-0.0200,0.0300\n").into_bytes();
        self.offset = 0;
        self.k += 1;
    }
}

impl Read for GeneratedAtr {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.offset == self.line.len() {
            if self.remaining < self.line.len() as u64 {
                return Ok(0);
            }
            self.next_line();
        }
        let n = buf.len().min(self.line.len() - self.offset);
        buf[..n].copy_from_slice(&self.line[self.offset..self.offset + n]);
        self.offset += n;
        self.remaining = self.remaining.saturating_sub(n as u64);
        Ok(n)
    }
}

#[test]
fn a_one_gib_file_streams_in_bounded_memory() {
    const GIB: u64 = 1 << 30;
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let mut rows = TimeSeriesRows::open("huge.csv", GeneratedAtr::new(GIB), ATR_LAYOUT).unwrap();
    let (mut count, mut sum) = (0_u64, 0.0_f64);
    while let Some(sample) = rows.next_sample().unwrap() {
        count += 1;
        sum += sample.values[0] as f64;
    }
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    // ~83 bytes a line: about 12.9 million samples were parsed.
    assert!(count > 12_000_000, "only {count} samples");
    assert!(sum > 0.0);
    assert!(peak < 1 << 20, "peak heap while streaming 1 GiB was {peak} bytes");
}

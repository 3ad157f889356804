//! Reloading a session, as the kiosk does every loop and a user does with every file they
//! drop, and running its first window through both models leaves nothing behind: the bytes live
//! after each later load equal those after the second. Counted by wrapping the global allocator,
//! so a leak anywhere in reading, assembling, windowing, parking or inference shows here,
//! natively, and not only as growth of the browser worker's wasm memory in the kiosk soak.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use tsak::data::classes::ClassTable;
use tsak::data::openpack::DeviceMap;
use tsak::data::session_files::load_session;
use tsak::demo::demo_files;
use tsak::infer::bundle::ModelBundle;
use tsak::infer::runner::{Runner, run_window};

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn reloading_the_demo_leaves_no_bytes_behind() {
    let device = burn::tensor::Device::flex();
    let bundle = ModelBundle::synthetic(&device).unwrap();
    let files = demo_files();
    let mut runner: Option<Runner> = None;
    const RELOADS: usize = 10;
    // Sized up front: the record of live bytes must not itself allocate between readings.
    let mut live = Vec::with_capacity(RELOADS);
    for _ in 0..RELOADS {
        let previous = runner.take().map(Runner::park);
        let session = load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let next = Runner::new(session, &bundle).unwrap();
        drop(previous);
        let result = futures::executor::block_on(run_window(&next, &bundle, 0, &|| 0.0)).unwrap();
        assert!(result.teacher.is_some());
        runner = Some(next);
        live.push(LIVE_BYTES.load(Ordering::SeqCst));
    }
    // From the second load on, each load replaces a session like itself.
    assert!(live.windows(2).skip(1).all(|w| w[0] == w[1]), "live bytes after each load: {live:?}");
}

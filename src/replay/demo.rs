//! The demo session: five minutes of a synthetic worker the models never saw (NOT OpenPack
//! data), written by `trainer synth --out assets/demo --users 1 --sessions 1 --minutes 5
//! --seed 2026`. The app serves `assets/demo/` beside the bundle (Trunk copies it to
//! `dist/demo/`) and the worker fetches it, which keeps 1.2 MB (gzip) out of the wasm; native
//! code and tests read the same files compiled in.

/// What the demo is, for the UI.
pub const DEMO_NAME: &str = "Demo: synthetic worker U0101/S0100 (not OpenPack data)";

/// The demo's files, relative to `assets/demo/`, as a folder pick of the session gives them.
pub const DEMO_PATHS: [&str; 7] = [
    "U0101/atr/atr01/S0100.csv",
    "U0101/atr/atr02/S0100.csv",
    "U0101/atr/atr03/S0100.csv",
    "U0101/atr/atr04/S0100.csv",
    "U0101/e4/e401/acc/S0100.csv",
    "U0101/e4/e402/acc/S0100.csv",
    "U0101/annotation/openpack-operations-1hz/S0100.csv",
];

/// The demo's files, compiled in (native builds only; the browser fetches them).
#[cfg(not(target_arch = "wasm32"))]
pub fn demo_files() -> Vec<super::files::SessionFile> {
    macro_rules! demo_file {
        ($path:literal) => {
            super::files::SessionFile {
                path: $path.to_string(),
                bytes: include_bytes!(concat!("../../assets/demo/", $path)).to_vec(),
            }
        };
    }
    let files = vec![
        demo_file!("U0101/atr/atr01/S0100.csv"),
        demo_file!("U0101/atr/atr02/S0100.csv"),
        demo_file!("U0101/atr/atr03/S0100.csv"),
        demo_file!("U0101/atr/atr04/S0100.csv"),
        demo_file!("U0101/e4/e401/acc/S0100.csv"),
        demo_file!("U0101/e4/e402/acc/S0100.csv"),
        demo_file!("U0101/annotation/openpack-operations-1hz/S0100.csv"),
    ];
    debug_assert!(files.iter().map(|f| f.path.as_str()).eq(DEMO_PATHS));
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::classes::ClassTable;
    use crate::data::openpack::DeviceMap;

    #[test]
    fn the_demo_loads_as_a_five_minute_session_with_every_sensor() {
        let files = demo_files();
        assert!(files.iter().map(|f| f.path.as_str()).eq(DEMO_PATHS));
        let session =
            super::super::files::load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations())
                .unwrap();
        assert_eq!(session.name, "U0101/S0100");
        assert!((280.0..=320.0).contains(&session.frames.duration_s()), "{}", session.frames.duration_s());
        assert_eq!(session.frames.channels.len(), 4 * 10 + 2 * 3);
    }
}

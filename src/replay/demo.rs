//! The demo session compiled into the app, so it replays offline with nothing chosen: five
//! minutes of a synthetic worker the models never saw (NOT OpenPack data), written by
//! `trainer synth --out assets/demo --users 1 --sessions 1 --minutes 5 --seed 2026`.

use super::files::SessionFile;

/// What the demo is, for the UI.
pub const DEMO_NAME: &str = "Demo: synthetic worker U0101/S0100 (not OpenPack data)";

macro_rules! demo_file {
    ($path:literal) => {
        SessionFile { path: $path.to_string(), bytes: include_bytes!(concat!("../../assets/demo/", $path)).to_vec() }
    };
}

/// The demo session's files, as a folder pick of its session would give them.
pub fn demo_files() -> Vec<SessionFile> {
    vec![
        demo_file!("U0101/atr/atr01/S0100.csv"),
        demo_file!("U0101/atr/atr02/S0100.csv"),
        demo_file!("U0101/atr/atr03/S0100.csv"),
        demo_file!("U0101/atr/atr04/S0100.csv"),
        demo_file!("U0101/e4/e401/acc/S0100.csv"),
        demo_file!("U0101/e4/e402/acc/S0100.csv"),
        demo_file!("U0101/annotation/openpack-operations-1hz/S0100.csv"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::classes::ClassTable;
    use crate::data::openpack::DeviceMap;

    #[test]
    fn the_demo_loads_as_a_five_minute_session_with_every_sensor() {
        let session =
            super::super::files::load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations())
                .unwrap();
        assert_eq!(session.name, "U0101/S0100");
        assert!((280.0..=320.0).contains(&session.frames.duration_s()), "{}", session.frames.duration_s());
        assert_eq!(session.frames.channels.len(), 4 * 10 + 2 * 3);
    }
}

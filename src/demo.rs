//! The demo sessions the app serves beside its bundle (Trunk copies `assets/demo*/` into
//! `dist/`; the worker fetches them, which keeps megabytes out of the wasm). Native code and
//! tests read the same files compiled in.
//!
//! - [`Demo::Synthetic`]: five minutes of a synthetic worker the models never saw (NOT
//!   OpenPack data), written by `trainer synth --out assets/demo --users 1 --sessions 1
//!   --minutes 5 --seed 2026`; replayed with the synthetic-data models.
//! - [`Demo::OpenPackSample`]: the held-out last 30% of OpenPack's public sample session
//!   (real data, CC BY-NC-SA 4.0), written by `trainer excerpt` (see
//!   `assets/demo-openpack/README.txt`); replayed with the models trained on the rest of it.

use serde::{Deserialize, Serialize};

use crate::infer::embedded::EmbeddedModels;

/// Which demo session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Demo {
    #[default]
    Synthetic,
    OpenPackSample,
}

/// Declares a demo's files once: their paths relative to its folder (as a folder pick gives
/// them), and natively their bytes compiled in (the browser fetches them instead).
macro_rules! demo_files {
    ($paths:ident, $bytes:ident, $folder:literal, [$($path:literal),+ $(,)?]) => {
        const $paths: &[&str] = &[$($path),+];
        #[cfg(not(target_arch = "wasm32"))]
        const $bytes: &[&[u8]] = &[$(include_bytes!(concat!("../assets/", $folder, "/", $path))),+];
    };
}

demo_files!(
    SYNTHETIC_PATHS,
    SYNTHETIC_BYTES,
    "demo",
    [
        "U0101/atr/atr01/S0100.csv",
        "U0101/atr/atr02/S0100.csv",
        "U0101/atr/atr03/S0100.csv",
        "U0101/atr/atr04/S0100.csv",
        "U0101/e4/e401/acc/S0100.csv",
        "U0101/e4/e402/acc/S0100.csv",
        "U0101/annotation/openpack-operations-1hz/S0100.csv",
    ]
);

// The sample as released has no e402.
demo_files!(
    OPENPACK_SAMPLE_PATHS,
    OPENPACK_SAMPLE_BYTES,
    "demo-openpack",
    [
        "U0209/atr/atr01/S0500.csv",
        "U0209/atr/atr02/S0500.csv",
        "U0209/atr/atr03/S0500.csv",
        "U0209/atr/atr04/S0500.csv",
        "U0209/e4/e401/acc/S0500.csv",
        "U0209/annotation/openpack-operations-1hz/S0500.csv",
    ]
);

impl Demo {
    /// What the demo is, for the UI.
    pub fn name(self) -> &'static str {
        match self {
            Self::Synthetic => "Demo: synthetic worker U0101/S0100 (not OpenPack data)",
            Self::OpenPackSample => "Real demo: OpenPack sample U0209/S0500, held-out last 30% (one subject)",
        }
    }

    /// Where the app serves its files, relative to the page.
    pub fn folder(self) -> &'static str {
        match self {
            Self::Synthetic => "demo/",
            Self::OpenPackSample => "demo-openpack/",
        }
    }

    /// Its files, relative to [`Demo::folder`].
    pub fn paths(self) -> &'static [&'static str] {
        match self {
            Self::Synthetic => SYNTHETIC_PATHS,
            Self::OpenPackSample => OPENPACK_SAMPLE_PATHS,
        }
    }

    /// The models trained on its kind of data, which replay it.
    pub fn models(self) -> EmbeddedModels {
        match self {
            Self::Synthetic => EmbeddedModels::Synthetic,
            Self::OpenPackSample => EmbeddedModels::OpenPackSample,
        }
    }

    /// The credit and licence the data asks to be shown with it.
    pub fn attribution(self) -> Option<&'static str> {
        match self {
            Self::Synthetic => None,
            Self::OpenPackSample => Some(
                "Data: OpenPack dataset (Yoshimura, Morales, Maekawa, Hara et al., PerCom 2024, \
                 open-pack.github.io), sample session U0209/S0500, rows of its last 30% unchanged; \
                 licence CC BY-NC-SA 4.0 (non-commercial, share alike), passed on by the models trained on it",
            ),
        }
    }

    /// The files, compiled in (native builds only; the browser fetches them).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn files(self) -> Vec<crate::data::session_files::SessionFile> {
        let bytes = match self {
            Self::Synthetic => SYNTHETIC_BYTES,
            Self::OpenPackSample => OPENPACK_SAMPLE_BYTES,
        };
        self.paths()
            .iter()
            .zip(bytes)
            .map(|(path, bytes)| crate::data::session_files::SessionFile {
                path: path.to_string(),
                bytes: bytes.to_vec(),
            })
            .collect()
    }
}

/// The synthetic demo's files (what most tests replay).
#[cfg(not(target_arch = "wasm32"))]
pub fn demo_files() -> Vec<crate::data::session_files::SessionFile> {
    Demo::Synthetic.files()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::classes::ClassTable;
    use crate::data::openpack::DeviceMap;
    use crate::data::session_files::load_session;

    #[test]
    fn the_demo_loads_as_a_five_minute_session_with_every_sensor() {
        let files = demo_files();
        assert!(files.iter().map(|f| f.path.as_str()).eq(Demo::Synthetic.paths().iter().copied()));
        let session = load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        assert_eq!(session.name, "U0101/S0100");
        assert!((280.0..=320.0).contains(&session.frames.duration_s()), "{}", session.frames.duration_s());
        assert_eq!(session.frames.channels.len(), 4 * 10 + 2 * 3);
    }

    #[test]
    fn the_real_demo_is_the_samples_last_part_as_released() {
        let files = Demo::OpenPackSample.files();
        assert!(files.iter().map(|f| f.path.as_str()).eq(Demo::OpenPackSample.paths().iter().copied()));
        let session = load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        assert_eq!(session.name, "U0209/S0500");
        // 6.8 minutes at the ATR's 33.3 Hz, four ATRs and the right E4 only.
        assert_eq!(session.frames.len(), 13_533);
        assert_eq!(session.frames.sample_rate_hz().map(|r| r.round()), Some(33.0));
        assert_eq!(session.frames.channels.len(), 4 * 10 + 3);
        assert!(session.warnings.iter().any(|w| w.contains("G / 9.80665")), "{:?}", session.warnings);
        assert!(Demo::OpenPackSample.attribution().unwrap().contains("CC BY-NC-SA 4.0"));
        assert_eq!(Demo::OpenPackSample.models(), EmbeddedModels::OpenPackSample);
    }
}

//! The wearables live mode can stream from: how to find each one (its GATT service), which
//! characteristic streams samples, what to write first (rate, subscription), and how to
//! decode what arrives. The web layer (`app::live::link`) only walks these descriptions.

use super::axes::AxisMap;
use super::error::DecodeError;
use super::sample::Decoded;
use super::{microbit, movesense, polar_pmd, thingy52, tsak_open, witmotion};

/// The rate every profile asks its device for: at or above the models' 30 Hz.
pub const TARGET_RATE_HZ: f64 = 50.0;

/// A profile's stable id (the `ble-profile` select's option values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileId {
    Thingy52,
    Movesense,
    PolarPmd,
    Microbit,
    WitMotion,
    TsakOpen,
}

impl ProfileId {
    pub const ALL: [ProfileId; 6] = [
        ProfileId::Thingy52,
        ProfileId::Movesense,
        ProfileId::PolarPmd,
        ProfileId::Microbit,
        ProfileId::WitMotion,
        ProfileId::TsakOpen,
    ];

    pub fn value(self) -> &'static str {
        match self {
            ProfileId::Thingy52 => "thingy52",
            ProfileId::Movesense => "movesense",
            ProfileId::PolarPmd => "polar-pmd",
            ProfileId::Microbit => "microbit",
            ProfileId::WitMotion => "witmotion",
            ProfileId::TsakOpen => "tsak-open",
        }
    }

    pub fn parse(value: &str) -> Option<ProfileId> {
        ProfileId::ALL.into_iter().find(|p| p.value() == value)
    }

    pub fn profile(self) -> Profile {
        match self {
            ProfileId::Thingy52 => Profile {
                id: self,
                name: thingy52::NAME,
                service: thingy52::MOTION_SERVICE,
                data: thingy52::RAW_DATA,
                control: None,
                gyro: true,
                rate_hz: TARGET_RATE_HZ,
                setup: vec![SetupStep::Rewrite { characteristic: thingy52::CONFIG, change: thingy52_rate }],
            },
            ProfileId::Movesense => Profile {
                id: self,
                name: movesense::NAME,
                service: movesense::SERVICE,
                data: movesense::NOTIFY,
                control: None,
                gyro: true,
                rate_hz: movesense::RATE_HZ as f64,
                setup: vec![SetupStep::Write { characteristic: movesense::WRITE, bytes: movesense::subscribe_imu6() }],
            },
            ProfileId::PolarPmd => Profile {
                id: self,
                name: polar_pmd::NAME,
                service: polar_pmd::SERVICE,
                data: polar_pmd::DATA,
                control: Some(polar_pmd::CONTROL),
                gyro: true,
                rate_hz: polar_pmd::RATE_HZ as f64,
                setup: vec![
                    SetupStep::Write {
                        characteristic: polar_pmd::CONTROL,
                        bytes: polar_pmd::start(polar_pmd::Measurement::Acc),
                    },
                    SetupStep::Write {
                        characteristic: polar_pmd::CONTROL,
                        bytes: polar_pmd::start(polar_pmd::Measurement::Gyro),
                    },
                ],
            },
            ProfileId::Microbit => Profile {
                id: self,
                name: microbit::NAME,
                service: microbit::SERVICE,
                data: microbit::DATA,
                control: None,
                gyro: false,
                rate_hz: 50.0,
                setup: vec![SetupStep::Write { characteristic: microbit::PERIOD, bytes: microbit::period_write(20) }],
            },
            ProfileId::WitMotion => Profile {
                id: self,
                name: witmotion::NAME,
                service: witmotion::SERVICE,
                data: witmotion::NOTIFY,
                control: None,
                gyro: true,
                rate_hz: witmotion::chosen_rate(TARGET_RATE_HZ),
                setup: witmotion::rate_commands(TARGET_RATE_HZ)
                    .into_iter()
                    .map(|bytes| SetupStep::Write { characteristic: witmotion::WRITE, bytes })
                    .collect(),
            },
            ProfileId::TsakOpen => Profile {
                id: self,
                name: tsak_open::NAME,
                service: tsak_open::SERVICE,
                data: tsak_open::DATA,
                control: None,
                gyro: true,
                rate_hz: TARGET_RATE_HZ,
                setup: vec![SetupStep::Write {
                    characteristic: tsak_open::CONTROL,
                    bytes: ((1_000_000.0 / TARGET_RATE_HZ) as u16).to_le_bytes().to_vec(),
                }],
            },
        }
    }
}

fn thingy52_rate(current: &[u8]) -> Result<Vec<u8>, DecodeError> {
    thingy52::config_with_rate(current, TARGET_RATE_HZ as u16)
}

/// What to do after notifications have started, in order.
#[derive(Debug, Clone)]
pub enum SetupStep {
    /// Write these bytes (with response).
    Write { characteristic: &'static str, bytes: Vec<u8> },
    /// Read the characteristic and write back what `change` makes of it (a configuration
    /// whose other fields must be kept).
    Rewrite { characteristic: &'static str, change: fn(&[u8]) -> Result<Vec<u8>, DecodeError> },
}

/// A device profile: everything the link needs, and its decoder.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: ProfileId,
    pub name: &'static str,
    /// The primary service, also the device chooser's filter.
    pub service: &'static str,
    /// The characteristic whose notifications carry samples.
    pub data: &'static str,
    /// A characteristic whose indications answer the setup writes (Polar's control point).
    pub control: Option<&'static str>,
    /// Whether samples include angular rate.
    pub gyro: bool,
    /// The sample rate the setup asks for (the stream measures the real one).
    pub rate_hz: f64,
    pub setup: Vec<SetupStep>,
}

impl Profile {
    /// The mapping onto the ATR axes a profile starts with; the user adjusts it per device to
    /// how it is worn (ATR: y toward the fingertips, z into the wrist). Every profile but the
    /// micro:bit reports specific force (+1 g up at rest, as the ATR does) and starts unchanged;
    /// the micro:bit reads -1 g on z lying face up, so its three axes are negated.
    pub fn default_axes(&self) -> AxisMap {
        match self.id {
            ProfileId::Microbit => "-x,-y,-z".parse().expect("a valid mapping"),
            _ => AxisMap::IDENTITY,
        }
    }

    pub fn decoder(&self) -> Decoder {
        match self.id {
            ProfileId::Thingy52 => Decoder::Thingy52,
            ProfileId::Movesense => Decoder::Movesense(movesense::Decoder::default()),
            ProfileId::PolarPmd => Decoder::PolarPmd(polar_pmd::Decoder::default()),
            ProfileId::Microbit => Decoder::Microbit,
            ProfileId::WitMotion => Decoder::WitMotion(witmotion::Decoder::new(1000.0 / self.rate_hz)),
            ProfileId::TsakOpen => Decoder::TsakOpen(tsak_open::Decoder::default()),
        }
    }
}

/// A profile's decoder with the state its protocol needs (sequence numbers, clock wraps,
/// the other half of a split sample).
#[derive(Debug)]
pub enum Decoder {
    Thingy52,
    Movesense(movesense::Decoder),
    PolarPmd(polar_pmd::Decoder),
    Microbit,
    WitMotion(witmotion::Decoder),
    TsakOpen(tsak_open::Decoder),
}

impl Decoder {
    /// Reads an indication of the profile's control characteristic: an error when the device
    /// refused a setup command.
    pub fn control(&mut self, packet: &[u8]) -> Result<(), DecodeError> {
        match self {
            Decoder::PolarPmd(decoder) => decoder.control(packet),
            _ => Ok(()),
        }
    }

    /// Decodes one notification that arrived at `arrival_ms` (the page's clock).
    pub fn decode(&mut self, packet: &[u8], arrival_ms: f64) -> Result<Decoded, DecodeError> {
        match self {
            Decoder::Thingy52 => thingy52::decode(packet, arrival_ms),
            Decoder::Movesense(decoder) => decoder.decode(packet),
            Decoder::PolarPmd(decoder) => decoder.decode(packet),
            Decoder::Microbit => microbit::decode(packet, arrival_ms),
            Decoder::WitMotion(decoder) => decoder.decode(packet, arrival_ms),
            Decoder::TsakOpen(decoder) => decoder.decode(packet),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_every_profile_streams_from_its_own_service() {
        for id in ProfileId::ALL {
            assert_eq!(ProfileId::parse(id.value()), Some(id));
            let profile = id.profile();
            assert_eq!(profile.id, id);
            assert_eq!(profile.service.len(), 36, "{}: full 128-bit UUID", profile.name);
            assert_eq!(profile.service, profile.service.to_ascii_lowercase(), "Web Bluetooth wants lower case");
            assert!(profile.rate_hz >= 30.0, "{} streams at least the models' rate", profile.name);
        }
        assert_eq!(ProfileId::parse("nope"), None);
    }
}

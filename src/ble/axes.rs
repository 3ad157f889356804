//! Device axes onto the ATR convention the models were trained on. Every wearable mounts its
//! IMU differently; a profile ships a default mapping and the user can change it (a strap worn
//! the other way round flips two axes) with a short text such as `-y,x,z`.

use std::fmt;
use std::str::FromStr;

use super::sample::ImuSample;

/// One output axis: which device axis feeds it, and with which sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axis {
    pub source: usize,
    pub negate: bool,
}

/// Output x, y, z in terms of the device's axes. Always a signed permutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxisMap {
    axes: [Axis; 3],
}

impl AxisMap {
    pub const IDENTITY: AxisMap = AxisMap {
        axes: [Axis { source: 0, negate: false }, Axis { source: 1, negate: false }, Axis { source: 2, negate: false }],
    };

    /// A mapping from its three axes; `None` unless each device axis is used exactly once.
    pub fn new(axes: [Axis; 3]) -> Option<AxisMap> {
        let mut used = [false; 3];
        for axis in axes {
            if axis.source > 2 || std::mem::replace(&mut used[axis.source], true) {
                return None;
            }
        }
        Some(AxisMap { axes })
    }

    /// +1 for a rotation, -1 for a mirror image (an odd permutation or an odd number of flips).
    fn handedness(&self) -> f32 {
        let flips = self.axes.iter().filter(|a| a.negate).count();
        let [a, b, c] = self.axes.map(|a| a.source);
        let odd_permutation = matches!((a, b, c), (0, 2, 1) | (1, 0, 2) | (2, 1, 0));
        if (flips % 2 == 1) != odd_permutation { -1.0 } else { 1.0 }
    }

    fn apply(&self, v: [f32; 3], scale: f32) -> [f32; 3] {
        self.axes.map(|a| scale * if a.negate { -v[a.source] } else { v[a.source] })
    }

    /// The sample on the output axes. Angular rate is an axial vector: a mirror mapping also
    /// reverses its sense of rotation, so it is flipped once more.
    pub fn map(&self, sample: ImuSample) -> ImuSample {
        ImuSample {
            t_ms: sample.t_ms,
            acc: self.apply(sample.acc, 1.0),
            gyro: sample.gyro.map(|g| self.apply(g, self.handedness())),
        }
    }
}

impl fmt::Display for AxisMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = ["x", "y", "z"];
        let parts: Vec<String> =
            self.axes.iter().map(|a| format!("{}{}", if a.negate { "-" } else { "" }, names[a.source])).collect();
        write!(f, "{}", parts.join(","))
    }
}

/// Why a mapping text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("axis mapping `{text}`: {reason} (expected three of x, y, z, each once, optionally signed, e.g. `-y,x,z`)")]
pub struct AxisMapError {
    pub text: String,
    pub reason: String,
}

impl FromStr for AxisMap {
    type Err = AxisMapError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refuse = |reason: String| AxisMapError { text: text.to_string(), reason };
        let parts: Vec<&str> = text.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()).collect();
        if parts.len() != 3 {
            return Err(refuse(format!("{} axes given", parts.len())));
        }
        let mut axes = [Axis { source: 0, negate: false }; 3];
        for (slot, part) in axes.iter_mut().zip(&parts) {
            let lower = part.to_ascii_lowercase();
            let (negate, name) = match lower.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, lower.strip_prefix('+').unwrap_or(&lower)),
            };
            let source = match name {
                "x" => 0,
                "y" => 1,
                "z" => 2,
                other => return Err(refuse(format!("`{other}` is not an axis"))),
            };
            *slot = Axis { source, negate };
        }
        AxisMap::new(axes).ok_or_else(|| refuse("an axis is used twice".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ImuSample {
        ImuSample { t_ms: 5.0, acc: [1.0, 2.0, 3.0], gyro: Some([10.0, 20.0, 30.0]) }
    }

    #[test]
    fn identity_changes_nothing() {
        assert_eq!(AxisMap::IDENTITY.map(sample()), sample());
        assert_eq!(AxisMap::IDENTITY.to_string(), "x,y,z");
    }

    #[test]
    fn a_rotation_moves_acc_and_gyro_alike() {
        // 90 degrees about z: x' = -y, y' = x.
        let map: AxisMap = "-y,x,z".parse().unwrap();
        let out = map.map(sample());
        assert_eq!(out.acc, [-2.0, 1.0, 3.0]);
        assert_eq!(out.gyro, Some([-20.0, 10.0, 30.0]));
    }

    #[test]
    fn a_mirror_flips_the_sense_of_rotation() {
        // Swapping x and y mirrors the frame: a turn seen clockwise is now anticlockwise.
        let map: AxisMap = "y,x,z".parse().unwrap();
        let out = map.map(sample());
        assert_eq!(out.acc, [2.0, 1.0, 3.0]);
        assert_eq!(out.gyro, Some([-20.0, -10.0, -30.0]));
    }

    #[test]
    fn text_round_trips_and_bad_text_is_explained() {
        let map: AxisMap = "+z, -x, y".parse().unwrap();
        assert_eq!(map.to_string().parse::<AxisMap>().unwrap(), map);
        let error = "x,x,z".parse::<AxisMap>().unwrap_err();
        assert!(error.to_string().contains("used twice"), "{error}");
        assert!("x,y".parse::<AxisMap>().unwrap_err().to_string().contains("2 axes"));
        assert!("x,y,w".parse::<AxisMap>().unwrap_err().to_string().contains("`w`"));
    }
}

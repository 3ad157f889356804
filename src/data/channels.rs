//! Channel names and selection by body position and modality.
//!
//! Every channel is called `{position}/{channel}` (e.g. `right_wrist/acc_x`), for OpenPack and
//! for a team's own recordings alike. A selection like `right_wrist/acc` picks the modality's
//! axes; `right_wrist/acc_x` picks one channel. Models store their selection, so the app can
//! feed them exactly what they were trained on.

use serde::{Deserialize, Serialize};

/// A list of selectors, in the order the model wants its input channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChannelSelection(pub Vec<String>);

/// Why a selection could not be satisfied by the channels at hand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("channel selector `{0}` must look like `position/modality` (e.g. `right_wrist/acc`)")]
    Malformed(String),
    #[error("no channel matches `{selector}`; available: {available}")]
    NoMatch { selector: String, available: String },
    #[error("channel `{0}` is selected twice")]
    Duplicate(String),
    #[error("the session has none of the model's inputs ({})", .0.join(", "))]
    NoneOf(Vec<String>),
}

impl ChannelSelection {
    pub fn new<S: Into<String>>(selectors: impl IntoIterator<Item = S>) -> Self {
        Self(selectors.into_iter().map(Into::into).collect())
    }

    /// The student's default: one wrist's 3-axis accelerometer.
    pub fn right_wrist_acc() -> Self {
        Self::new(["right_wrist/acc"])
    }

    /// The teacher's default on OpenPack: ATR acc+gyro on both wrists and upper arms, plus
    /// both E4 accelerometers. Not the ATRs' orientation quaternions: they carry the heading,
    /// which drifts within a session and with where the worker faces. On the real sample's
    /// development split a teacher without them scored 0.675 against 0.586 with them (docs/real-data.md).
    pub fn openpack_teacher() -> Self {
        let mut selectors = Vec::new();
        for position in ["right_wrist", "left_wrist", "right_upper_arm", "left_upper_arm"] {
            for modality in ["acc", "gyro"] {
                selectors.push(format!("{position}/{modality}"));
            }
        }
        selectors.push("right_wrist/e4_acc".into());
        selectors.push("left_wrist/e4_acc".into());
        Self(selectors)
    }

    /// The selection narrowed to the selectors that `available` satisfies: the teacher's inputs
    /// on data where some device is never worn (OpenPack's sample has no left E4).
    pub fn present_in(&self, available: &[String]) -> Self {
        Self(self.0.iter().filter(|s| Self(vec![(*s).clone()]).resolve(available).is_ok()).cloned().collect())
    }

    /// Column indices into `available` (full `position/channel` names), in selection order.
    pub fn resolve(&self, available: &[String]) -> Result<Vec<usize>, SelectionError> {
        let mut picked = Vec::new();
        for selector in &self.0 {
            let (position, name) =
                selector.split_once('/').ok_or_else(|| SelectionError::Malformed(selector.clone()))?;
            if position.is_empty() || name.is_empty() {
                return Err(SelectionError::Malformed(selector.clone()));
            }
            let before = picked.len();
            for (i, channel) in available.iter().enumerate() {
                if matches(channel, position, name) {
                    if picked.contains(&i) {
                        return Err(SelectionError::Duplicate(channel.clone()));
                    }
                    picked.push(i);
                }
            }
            if picked.len() == before {
                return Err(SelectionError::NoMatch { selector: selector.clone(), available: available.join(", ") });
            }
        }
        Ok(picked)
    }
}

/// `right_wrist/acc` matches `right_wrist/acc` itself and its axes `right_wrist/acc_x` etc.,
/// but not `right_wrist/acc2_x`.
fn matches(channel: &str, position: &str, name: &str) -> bool {
    let Some((channel_position, channel_name)) = channel.split_once('/') else { return false };
    channel_position == position
        && (channel_name == name
            || channel_name.strip_prefix(name).is_some_and(|rest| rest.starts_with('_') && !rest[1..].contains('_')))
}

/// `position/channel`.
pub fn channel_name(position: &str, channel: &str) -> String {
    format!("{position}/{channel}")
}

/// Channel names grouped by sensor, in order: `right_wrist/gyro_x`, `_y`, `_z` ->
/// `right_wrist/gyro`. What the app shows when it lists what a model lacks.
pub fn sensors(channels: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for channel in channels {
        let sensor = channel.rsplit_once('_').map_or(channel.as_str(), |(sensor, _)| sensor).to_string();
        if !out.contains(&sensor) {
            out.push(sensor);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn sensors_group_axes_and_keep_order() {
        let names: Vec<String> =
            ["right_wrist/gyro_x", "right_wrist/gyro_y", "left_wrist/e4_acc_x", "right_wrist/quat_w"]
                .map(String::from)
                .to_vec();
        assert_eq!(super::sensors(&names), ["right_wrist/gyro", "left_wrist/e4_acc", "right_wrist/quat"]);
    }

    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn modality_selects_its_axes_in_order() {
        let available = names(&[
            "right_wrist/acc_x",
            "right_wrist/acc_y",
            "right_wrist/acc_z",
            "right_wrist/e4_acc_x",
            "left_wrist/acc_x",
        ]);
        assert_eq!(ChannelSelection::right_wrist_acc().resolve(&available).unwrap(), vec![0, 1, 2]);
        assert_eq!(ChannelSelection::new(["right_wrist/e4_acc"]).resolve(&available).unwrap(), vec![3]);
        assert_eq!(ChannelSelection::new(["left_wrist/acc_x"]).resolve(&available).unwrap(), vec![4]);
    }

    #[test]
    fn bad_selectors_are_explained() {
        let available = names(&["right_wrist/acc_x"]);
        assert!(matches!(ChannelSelection::new(["acc"]).resolve(&available), Err(SelectionError::Malformed(_))));
        let err = ChannelSelection::new(["left_wrist/acc"]).resolve(&available).unwrap_err();
        assert_eq!(err.to_string(), "no channel matches `left_wrist/acc`; available: right_wrist/acc_x");
        let dup = ChannelSelection::new(["right_wrist/acc", "right_wrist/acc_x"]).resolve(&available);
        assert!(matches!(dup, Err(SelectionError::Duplicate(_))));
    }
}

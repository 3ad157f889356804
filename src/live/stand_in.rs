//! Teacher inputs that live wearables stand in for. The teacher was trained on OpenPack, where
//! each wrist also wore an Empatica E4 whose accelerometer is a separate input. On the shop
//! floor nobody wears a second device per wrist, so the wrist's own wearable stands in for the
//! E4: same wrist, same motion, turned into the E4's axes and read as an E4 reads (8 bits over
//! ±2 g). The E4 sits a few cm further up the forearm and samples at 32 Hz, so the teacher is
//! still expected to do somewhat worse live than on recorded sessions; the page says when a
//! stand-in is used.

use crate::data::frames::FrameTable;
use crate::data::openpack::devices::e4_acc_reading;

/// Each E4 axis as a signed ATR axis: the E4's x runs up the forearm toward the elbow (ATR's
/// -y, since ATR's y points to the fingertips), its y across the wrist (ATR's x), z shared.
/// The synthetic generator places its E4s the same way (`trainer/src/synth/session.rs`,
/// `E4_AXES_DEGREES`).
const E4_FROM_ATR: [(&str, &str, f32); 3] =
    [("e4_acc_x", "acc_y", -1.0), ("e4_acc_y", "acc_x", 1.0), ("e4_acc_z", "acc_z", 1.0)];

/// For every wanted `<wrist>/e4_acc_*` channel the table lacks, derives it from the wrist's
/// `<wrist>/acc_*` channels. Returns the channels stood in for, so the page can say so.
pub fn add_e4_from_wrists(table: &mut FrameTable, wanted: &[String]) -> Vec<String> {
    let stand_ins: Vec<(String, usize, f32)> = wanted
        .iter()
        .filter(|name| !table.channels.contains(name))
        .filter_map(|name| {
            let (position, channel) = name.split_once('/')?;
            let (_, source, sign) = E4_FROM_ATR.iter().find(|(e4, _, _)| *e4 == channel)?;
            let column = table.channels.iter().position(|c| *c == format!("{position}/{source}"))?;
            Some((name.clone(), column, *sign))
        })
        .collect();
    if stand_ins.is_empty() {
        return Vec::new();
    }
    let width = table.channels.len();
    let mut values = Vec::with_capacity(table.len() * (width + stand_ins.len()));
    for frame in table.values.chunks_exact(width) {
        values.extend_from_slice(frame);
        values
            .extend(stand_ins.iter().map(|(_, column, sign)| e4_acc_reading(f64::from(sign * frame[*column])) as f32));
    }
    table.values = values;
    table.channels.extend(stand_ins.iter().map(|(name, _, _)| name.clone()));
    stand_ins.into_iter().map(|(name, _, _)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> FrameTable {
        FrameTable {
            channels: ["right_wrist/acc_x", "right_wrist/acc_y", "left_wrist/acc_x"].map(String::from).to_vec(),
            unixtime_ms: vec![0, 33],
            values: vec![0.5, 0.25, -0.75, 3.0, -3.0, 0.1],
            labels: vec![8100, 8100],
        }
    }

    #[test]
    fn a_wrists_accelerometer_stands_in_for_its_e4_and_is_reported() {
        let mut t = table();
        let wanted = ["right_wrist/e4_acc_y", "left_wrist/e4_acc_x", "left_wrist/e4_acc_y", "right_wrist/acc_x"]
            .map(String::from);
        let stood_in = add_e4_from_wrists(&mut t, &wanted);
        // E4 y is ATR x; E4 x would be ATR -y, which the left wrist lacks here.
        assert_eq!(stood_in, ["right_wrist/e4_acc_y", "left_wrist/e4_acc_y"], "no left acc_y to stand in with");
        assert_eq!(t.channels.len(), 5);
        assert_eq!(t.frame(0), &[0.5, 0.25, -0.75, 0.5, -0.75]);
        // Read as an E4 reads: clipped at 2 g, in 1/64 g steps.
        assert_eq!(t.frame(1), &[3.0, -3.0, 0.1, 2.0, 6.0 / 64.0]);
    }

    #[test]
    fn the_stand_in_is_in_the_e4s_axes() {
        let mut t = FrameTable {
            channels: ["left_wrist/acc_x", "left_wrist/acc_y", "left_wrist/acc_z"].map(String::from).to_vec(),
            unixtime_ms: vec![0],
            values: vec![0.25, 0.5, -1.0],
            labels: vec![0],
        };
        let wanted = ["left_wrist/e4_acc_x", "left_wrist/e4_acc_y", "left_wrist/e4_acc_z"].map(String::from);
        assert_eq!(add_e4_from_wrists(&mut t, &wanted).len(), 3);
        assert_eq!(&t.frame(0)[3..], &[-0.5, 0.25, -1.0]);
    }

    #[test]
    fn a_table_that_has_its_e4_channels_is_left_alone() {
        let mut t = table();
        t.channels[2] = "right_wrist/e4_acc_x".into();
        assert!(add_e4_from_wrists(&mut t, &["right_wrist/e4_acc_x".into()]).is_empty());
        assert_eq!(t, {
            let mut u = table();
            u.channels[2] = "right_wrist/e4_acc_x".into();
            u
        });
    }
}

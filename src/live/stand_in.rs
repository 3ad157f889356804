//! Teacher inputs that live wearables stand in for. The teacher was trained on OpenPack, where
//! each wrist also wore an Empatica E4 whose accelerometer is a separate input. On the shop
//! floor nobody wears a second device per wrist, so the wrist's own wearable stands in for the
//! E4: same wrist, same motion, in the ATR axes (an E4's axes and its 32 Hz sampling differ, so
//! the teacher is expected to do somewhat worse live than on recorded sessions; the page says
//! when a stand-in is used).

use crate::data::frames::FrameTable;

/// For every wanted `<wrist>/e4_acc_*` channel the table lacks, copies `<wrist>/acc_*` into
/// it. Returns the channels stood in for, so the page can say so.
pub fn add_e4_from_wrists(table: &mut FrameTable, wanted: &[String]) -> Vec<String> {
    let stand_ins: Vec<(String, usize)> = wanted
        .iter()
        .filter(|name| !table.channels.contains(name))
        .filter_map(|name| {
            let (position, channel) = name.split_once('/')?;
            let source = format!("{position}/{}", channel.strip_prefix("e4_")?);
            let column = table.channels.iter().position(|c| *c == source)?;
            Some((name.clone(), column))
        })
        .collect();
    if stand_ins.is_empty() {
        return Vec::new();
    }
    let width = table.channels.len();
    let mut values = Vec::with_capacity(table.len() * (width + stand_ins.len()));
    for frame in table.values.chunks_exact(width) {
        values.extend_from_slice(frame);
        values.extend(stand_ins.iter().map(|(_, column)| frame[*column]));
    }
    table.values = values;
    table.channels.extend(stand_ins.iter().map(|(name, _)| name.clone()));
    stand_ins.into_iter().map(|(name, _)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> FrameTable {
        FrameTable {
            channels: ["right_wrist/acc_x", "right_wrist/acc_y", "left_wrist/acc_x"].map(String::from).to_vec(),
            unixtime_ms: vec![0, 33],
            values: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            labels: vec![8100, 8100],
        }
    }

    #[test]
    fn a_wrists_accelerometer_stands_in_for_its_e4_and_is_reported() {
        let mut t = table();
        let wanted = ["right_wrist/e4_acc_y", "left_wrist/e4_acc_x", "left_wrist/e4_acc_z", "right_wrist/acc_x"]
            .map(String::from);
        let stood_in = add_e4_from_wrists(&mut t, &wanted);
        assert_eq!(stood_in, ["right_wrist/e4_acc_y", "left_wrist/e4_acc_x"], "no left acc_z to stand in with");
        assert_eq!(t.channels.len(), 5);
        assert_eq!(t.frame(0), &[1.0, 2.0, 3.0, 2.0, 3.0]);
        assert_eq!(t.frame(1), &[4.0, 5.0, 6.0, 5.0, 6.0]);
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

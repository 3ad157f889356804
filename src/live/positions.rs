//! Where the live models want wearables: the body positions of the student's and the teacher's
//! inputs (whatever a bundle declares, `waist` included), the positions a device can be worn
//! at, and what the panel says about the ones no device streams from.

use crate::model::manifest::Manifest;

/// OpenPack's ATR positions: offered even when the models do not use them, so a team can
/// record a position for its next model.
pub const ATR_POSITIONS: [&str; 4] = ["right_wrist", "left_wrist", "right_upper_arm", "left_upper_arm"];

/// A body position the live models read, and which of them read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPosition {
    pub position: String,
    pub student: bool,
    pub teacher: bool,
}

/// The positions of the models' inputs: the student's first, then the teacher's, each once.
pub fn model_positions(manifest: &Manifest) -> Vec<ModelPosition> {
    let mut out: Vec<ModelPosition> = Vec::new();
    let student = manifest.student.positions().into_iter().map(|p| (p, true));
    let teacher = manifest.teacher.iter().flat_map(|t| t.positions()).map(|p| (p, false));
    for (position, of_student) in student.chain(teacher) {
        let index = match out.iter().position(|p| p.position == position) {
            Some(index) => index,
            None => {
                out.push(ModelPosition { position: position.to_string(), student: false, teacher: false });
                out.len() - 1
            }
        };
        if of_student {
            out[index].student = true;
        } else {
            out[index].teacher = true;
        }
    }
    out
}

/// Where a device can be worn: the models' positions first, then the other ATR positions.
pub fn positions_to_offer(manifest: &Manifest) -> Vec<String> {
    let mut out: Vec<String> = model_positions(manifest).into_iter().map(|p| p.position).collect();
    for atr in ATR_POSITIONS {
        if !out.iter().any(|p| p == atr) {
            out.push(atr.to_string());
        }
    }
    out
}

/// A position as the page names it: `right_upper_arm` -> "Right upper arm".
pub fn position_label(position: &str) -> String {
    let spaced = position.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What the models lack while only `connected` positions stream, or `None` when nothing.
pub fn missing_positions(manifest: &Manifest, connected: &[String]) -> Option<String> {
    let absent = |p: &&ModelPosition| !connected.contains(&p.position);
    let positions = model_positions(manifest);
    let name = |p: &ModelPosition| p.position.replace('_', " ");
    let student: Vec<String> = positions.iter().filter(|p| p.student).filter(absent).map(name).collect();
    let teacher: Vec<String> = positions.iter().filter(|p| p.teacher && !p.student).filter(absent).map(name).collect();
    let mut parts = Vec::new();
    if !student.is_empty() {
        parts.push(format!("The student needs a wearable at {}.", student.join(", ")));
    }
    if !teacher.is_empty() {
        parts.push(format!(
            "The teacher also reads {}: it runs without them until they are connected.",
            teacher.join(", ")
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::embedded::EmbeddedModels;
    use crate::model::manifest::InputChannel;

    /// A team's bundle: the student on the right wrist, the teacher on the wrist and the waist.
    fn team() -> Manifest {
        let mut manifest = EmbeddedModels::OpenPackSample.manifest();
        let inputs = |names: &[&str]| names.iter().map(|n| InputChannel::from_name(n)).collect();
        manifest.student.inputs = inputs(&["right_wrist/acc_x", "right_wrist/acc_y", "right_wrist/acc_z"]);
        manifest.teacher.as_mut().unwrap().inputs = inputs(&["right_wrist/acc_x", "waist/acc_x", "waist/gyro_x"]);
        manifest
    }

    #[test]
    fn positions_follow_the_bundle_student_first() {
        let positions = model_positions(&team());
        assert_eq!(
            positions,
            [
                ModelPosition { position: "right_wrist".into(), student: true, teacher: true },
                ModelPosition { position: "waist".into(), student: false, teacher: true },
            ]
        );
        assert_eq!(
            positions_to_offer(&team()),
            ["right_wrist", "waist", "left_wrist", "right_upper_arm", "left_upper_arm"]
        );
        let real = model_positions(&EmbeddedModels::OpenPackSample.manifest());
        assert_eq!(real[0], ModelPosition { position: "right_wrist".into(), student: true, teacher: true });
        assert_eq!(real.len(), 4, "{real:?}");
        assert_eq!(position_label("right_upper_arm"), "Right upper arm");
    }

    #[test]
    fn the_panel_names_the_positions_no_device_streams_from() {
        let manifest = team();
        assert_eq!(
            missing_positions(&manifest, &[]).unwrap(),
            "The student needs a wearable at right wrist. The teacher also reads waist: it runs without them until \
             they are connected."
        );
        let note = missing_positions(&manifest, &["right_wrist".into()]).unwrap();
        assert!(note.starts_with("The teacher also reads waist") && !note.contains("student"), "{note}");
        assert_eq!(missing_positions(&manifest, &["right_wrist".into(), "waist".into()]), None);
        // A student-only bundle wants the student's position alone.
        let alone = Manifest { teacher: None, semantic: None, ..manifest };
        assert_eq!(missing_positions(&alone, &["right_wrist".into()]), None);
        assert_eq!(model_positions(&alone).len(), 1);
    }
}

//! The dataset spec (TOML) that describes a team's own recordings: classes, channels,
//! sample rate, and which subject each recording belongs to (for subject-wise splits).

use serde::{Deserialize, Serialize};

use super::classes::{ClassInfo, ClassTable};
use super::error::{DataError, DataResult};

/// One recording file and its subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingEntry {
    /// Path of the recording CSV, relative to the spec file.
    pub file: String,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    name: String,
    sample_rate_hz: f64,
    channels: Vec<String>,
    null_class: String,
    classes: Vec<ClassInfo>,
    #[serde(default)]
    recordings: Vec<RecordingEntry>,
}

/// A validated dataset spec.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetSpec {
    pub name: String,
    pub sample_rate_hz: f64,
    /// `position/channel` names; every recording has exactly these columns.
    pub channels: Vec<String>,
    pub classes: ClassTable,
    pub recordings: Vec<RecordingEntry>,
}

impl DatasetSpec {
    /// Parses and validates a spec; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> DataResult<Self> {
        let raw: RawSpec = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let field_error = |field: &str, message: String| DataError {
            location: super::error::Location { file: file.into(), line: None, field: Some(field.into()) },
            message,
        };
        if !(raw.sample_rate_hz.is_finite() && raw.sample_rate_hz > 0.0) {
            return Err(field_error("sample_rate_hz", format!("{} is not a positive rate in Hz", raw.sample_rate_hz)));
        }
        if raw.channels.is_empty() {
            return Err(field_error("channels", "at least one channel is needed".into()));
        }
        for (i, channel) in raw.channels.iter().enumerate() {
            let well_formed =
                channel.split_once('/').is_some_and(|(p, c)| !p.is_empty() && !c.is_empty() && !c.contains('/'));
            if !well_formed {
                return Err(field_error(
                    "channels",
                    format!("`{channel}` must be `position/channel`, e.g. `right_wrist/acc_x`"),
                ));
            }
            if raw.channels[..i].contains(channel) {
                return Err(field_error("channels", format!("`{channel}` is listed twice")));
            }
        }
        for (i, class) in raw.classes.iter().enumerate() {
            if raw.classes[..i].iter().any(|c| c.id == class.id || c.name.eq_ignore_ascii_case(&class.name)) {
                return Err(field_error(
                    "classes",
                    format!("class {} `{}` repeats an id or a name", class.id, class.name),
                ));
            }
        }
        let mut classes = ClassTable { classes: raw.classes, null_id: 0, null_aliases: Vec::new() };
        classes.null_id = classes
            .resolve(&raw.null_class)
            .ok_or_else(|| field_error("null_class", format!("`{}` is not one of the classes", raw.null_class)))?;
        if classes.operations().next().is_none() {
            return Err(field_error("classes", "at least one class besides the null class is needed".into()));
        }
        if let Some(entry) = raw.recordings.iter().find(|r| r.subject.trim().is_empty()) {
            return Err(field_error("recordings", format!("recording `{}` has no subject", entry.file)));
        }
        Ok(Self {
            name: raw.name,
            sample_rate_hz: raw.sample_rate_hz,
            channels: raw.channels,
            classes,
            recordings: raw.recordings,
        })
    }

    /// The spec as TOML, as [`DatasetSpec::parse`] reads it (the null class by id).
    pub fn to_toml(&self) -> String {
        let raw = RawSpec {
            name: self.name.clone(),
            sample_rate_hz: self.sample_rate_hz,
            channels: self.channels.clone(),
            null_class: self.classes.null_id.to_string(),
            classes: self.classes.classes.clone(),
            recordings: self.recordings.clone(),
        };
        toml::to_string(&raw).expect("a spec serialises")
    }

    /// The distinct subjects, in order of first appearance.
    pub fn subjects(&self) -> Vec<&str> {
        let mut subjects: Vec<&str> = Vec::new();
        for entry in &self.recordings {
            if !subjects.contains(&entry.subject.as_str()) {
                subjects.push(&entry.subject);
            }
        }
        subjects
    }
}

fn toml_error(file: &str, text: &str, error: &toml::de::Error) -> DataError {
    let message = error.message().to_string();
    match error.span() {
        Some(span) => {
            DataError::at_line(file, text[..span.start.min(text.len())].matches('\n').count() as u64 + 1, message)
        }
        None => DataError::in_file(file, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SPEC: &str = r#"
name = "Line 3 packing"
sample_rate_hz = 30
channels = ["right_wrist/acc_x", "right_wrist/acc_y", "right_wrist/acc_z"]
null_class = "Null"

[[classes]]
id = 0
name = "Null"
[[classes]]
id = 1
name = "Tape box"

[[recordings]]
file = "alice-1.csv"
subject = "alice"
[[recordings]]
file = "bob-1.csv"
subject = "bob"
"#;

    #[test]
    fn parses_a_valid_spec() {
        let spec = DatasetSpec::parse("spec.toml", SPEC).unwrap();
        assert_eq!(spec.classes.null_id, 0);
        assert_eq!(spec.classes.resolve("tape box"), Some(1));
        assert_eq!(spec.subjects(), ["alice", "bob"]);
    }

    #[test]
    fn errors_name_the_field_or_line() {
        let bad_rate = SPEC.replace("sample_rate_hz = 30", "sample_rate_hz = 0");
        assert_eq!(
            DatasetSpec::parse("spec.toml", &bad_rate).unwrap_err().to_string(),
            "spec.toml, field `sample_rate_hz`: 0 is not a positive rate in Hz"
        );
        let bad_channel = SPEC.replace("\"right_wrist/acc_z\"", "\"acc_z\"");
        assert!(
            DatasetSpec::parse("spec.toml", &bad_channel)
                .unwrap_err()
                .to_string()
                .contains("`acc_z` must be `position/channel`")
        );
        let bad_null = SPEC.replace("null_class = \"Null\"", "null_class = \"Idle\"");
        assert!(DatasetSpec::parse("spec.toml", &bad_null).unwrap_err().to_string().contains("field `null_class`"));
        let typo = SPEC.replace("subject = \"bob\"", "subjekt = \"bob\"");
        let err = DatasetSpec::parse("spec.toml", &typo).unwrap_err().to_string();
        assert!(err.starts_with("spec.toml, line 19: unknown field `subjekt`"), "{err}");
    }
}

//! The openpack-toolkit's named splits, as data (`splits.toml`).

use serde::Deserialize;

/// A (user, session) pair such as `("U0102", "S0100")`.
pub type SessionRef = (String, String);

/// One named split of sessions into train / val / test / submission.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Split {
    pub name: String,
    pub train: Vec<SessionRef>,
    pub val: Vec<SessionRef>,
    pub test: Vec<SessionRef>,
    #[serde(default)]
    pub submission: Vec<SessionRef>,
}

#[derive(Deserialize)]
struct SplitFile {
    splits: Vec<Split>,
}

const SPLITS: &str = include_str!("splits.toml");

/// All splits the toolkit defines: `debug`, `pilot-challenge`, `openpack-challenge-2022`.
pub fn toolkit_splits() -> Vec<Split> {
    toml::from_str::<SplitFile>(SPLITS).expect("the embedded splits table is valid TOML").splits
}

/// A toolkit split by name.
pub fn toolkit_split(name: &str) -> Option<Split> {
    toolkit_splits().into_iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolkit_splits_are_present() {
        let names: Vec<String> = toolkit_splits().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["debug", "pilot-challenge", "openpack-challenge-2022"]);
        let pilot = toolkit_split("pilot-challenge").unwrap();
        assert_eq!(pilot.train.len(), 15);
        assert_eq!(
            pilot.test,
            vec![("U0106".into(), "S0100".into()), ("U0106".into(), "S0300".into()), ("U0106".into(), "S0500".into())]
        );
    }
}

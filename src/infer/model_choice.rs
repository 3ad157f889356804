//! Which models replay sessions: one of the bundles compiled into the app, or one the user
//! loaded (a bundle `trainer export` wrote, kept in the browser). Plain data shared by the
//! page and the worker, so both name the same models the same way.

use serde::{Deserialize, Serialize};

use crate::infer::embedded::EmbeddedModels;
use crate::model::manifest::Manifest;

/// The models in use, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelsId {
    Embedded(EmbeddedModels),
    /// A loaded bundle, by [`bundle_id`].
    Loaded(String),
}

impl Default for ModelsId {
    fn default() -> Self {
        Self::Embedded(EmbeddedModels::default())
    }
}

impl ModelsId {
    /// The value a `<select>` carries: the embedded bundle's value, or `loaded:ID`.
    pub fn value(&self) -> String {
        match self {
            Self::Embedded(models) => models.value().to_string(),
            Self::Loaded(id) => format!("loaded:{id}"),
        }
    }

    pub fn from_value(value: &str) -> Option<Self> {
        match value.strip_prefix("loaded:") {
            Some(id) => Some(Self::Loaded(id.to_string())),
            None => EmbeddedModels::from_value(value).map(Self::Embedded),
        }
    }

    /// The models live mode runs while these replay: a loaded bundle runs live too (a team's
    /// models on the team's wearables); with a built-in choice, the built-in real-data models
    /// ([`EmbeddedModels::LIVE`]): the synthetic ones learnt the simulator, not a wearable.
    pub fn live(&self) -> ModelsId {
        match self {
            Self::Loaded(_) => self.clone(),
            Self::Embedded(_) => Self::Embedded(EmbeddedModels::LIVE),
        }
    }
}

/// A bundle the user loaded, as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedBundle {
    pub id: String,
    pub manifest: Manifest,
    /// The bundle's files together, in bytes.
    pub size_bytes: u64,
}

impl LoadedBundle {
    /// What to call it: its dataset's name, and whether it is a student-only export.
    pub fn label(&self) -> String {
        let kind = if self.manifest.teacher.is_some() { "loaded" } else { "loaded, student only" };
        format!("{} ({kind})", self.manifest.dataset.display_name())
    }
}

/// A loaded bundle's id: the start of its manifest's sha256. The manifest holds every file's
/// hash, so the same bundle loaded twice gets the same id, and any other bundle another.
pub fn bundle_id(manifest_sha256_hex: &str) -> String {
    manifest_sha256_hex.chars().take(16).collect()
}

/// The manifest of `id`, looked up among the embedded bundles and `loaded`.
pub fn manifest_of(id: &ModelsId, loaded: &[LoadedBundle]) -> Option<Manifest> {
    match id {
        ModelsId::Embedded(models) => Some(models.manifest()),
        ModelsId::Loaded(id) => loaded.iter().find(|b| &b.id == id).map(|b| b.manifest.clone()),
    }
}

/// What to call the models of `id` in the UI.
pub fn label_of(id: &ModelsId, loaded: &[LoadedBundle]) -> String {
    match id {
        ModelsId::Embedded(models) => models.label().to_string(),
        ModelsId::Loaded(id) => {
            loaded.iter().find(|b| &b.id == id).map_or_else(|| "a removed bundle".to_string(), LoadedBundle::label)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team() -> LoadedBundle {
        let mut manifest = EmbeddedModels::Synthetic.manifest();
        manifest.dataset.name = "Line 3 packing team".into();
        LoadedBundle { id: bundle_id("0123456789abcdef0123"), manifest, size_bytes: 1000 }
    }

    #[test]
    fn select_values_name_embedded_and_loaded_models_apart() {
        for id in [ModelsId::default(), ModelsId::Embedded(EmbeddedModels::Synthetic), ModelsId::Loaded("ab12".into())]
        {
            assert_eq!(ModelsId::from_value(&id.value()), Some(id.clone()), "{}", id.value());
        }
        assert_eq!(ModelsId::from_value("nothing-like-it"), None);
    }

    #[test]
    fn a_loaded_bundle_runs_live_too_and_built_in_choices_run_the_real_data_models() {
        let loaded = ModelsId::Loaded("ab12".into());
        assert_eq!(loaded.live(), loaded);
        for embedded in EmbeddedModels::ALL {
            assert_eq!(ModelsId::Embedded(embedded).live(), ModelsId::Embedded(EmbeddedModels::LIVE));
        }
    }

    #[test]
    fn manifests_and_labels_come_from_where_the_models_are() {
        let loaded = vec![team()];
        assert_eq!(loaded[0].id, "0123456789abcdef");
        let id = ModelsId::Loaded(loaded[0].id.clone());
        assert_eq!(manifest_of(&id, &loaded).unwrap().dataset.name, "Line 3 packing team");
        assert_eq!(label_of(&id, &loaded), "Line 3 packing team (loaded)");
        assert_eq!(manifest_of(&id, &[]), None, "a removed bundle has no manifest");
        let mut alone = team();
        (alone.manifest.teacher, alone.manifest.semantic) = (None, None);
        assert_eq!(alone.label(), "Line 3 packing team (loaded, student only)");
        let embedded = ModelsId::Embedded(EmbeddedModels::Synthetic);
        assert_eq!(manifest_of(&embedded, &[]), Some(EmbeddedModels::Synthetic.manifest()));
        assert_eq!(label_of(&embedded, &[]), EmbeddedModels::Synthetic.label());
    }
}

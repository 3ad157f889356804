//! Class tables: which label ids exist, their names, and which one is Null.
//!
//! OpenPack's table is data (`openpack/operations.toml`), and a team's own dataset brings its
//! own through the dataset spec; the rest of the code only sees a [`ClassTable`].

use serde::{Deserialize, Serialize};

/// A label id as it appears in files (OpenPack: 100..1000 and 8100 for Null).
pub type ClassId = u32;

/// One class: its id in files and its human name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassInfo {
    pub id: ClassId,
    pub name: String,
}

/// The classes of a dataset, in a fixed order that defines the model's output indices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassTable {
    /// All classes including Null, in output-index order.
    pub classes: Vec<ClassInfo>,
    /// The class that means "no operation"; excluded from scoring.
    pub null_id: ClassId,
    /// Ids that files may use for Null besides `null_id` (OpenPack: 8200).
    #[serde(default)]
    pub null_aliases: Vec<ClassId>,
}

const OPENPACK_OPERATIONS: &str = include_str!("openpack/operations.toml");

impl ClassTable {
    /// The 10 OpenPack operations plus Null, as the toolkit defines them.
    pub fn openpack_operations() -> Self {
        toml::from_str(OPENPACK_OPERATIONS).expect("the embedded OpenPack class table is valid TOML")
    }

    /// Maps an id read from a file to the canonical id, folding Null aliases into `null_id`.
    /// Returns `None` for an id the table does not know.
    pub fn canonical(&self, id: ClassId) -> Option<ClassId> {
        if self.null_aliases.contains(&id) {
            return Some(self.null_id);
        }
        self.classes.iter().any(|c| c.id == id).then_some(id)
    }

    /// The output index of a canonical id.
    pub fn index_of(&self, id: ClassId) -> Option<usize> {
        self.classes.iter().position(|c| c.id == id)
    }

    /// Finds a class by its id written as text or by its (case-insensitive) name; a number that
    /// is no id here may still be a name (a team's class called "5").
    pub fn resolve(&self, text: &str) -> Option<ClassId> {
        let text = text.trim();
        if let Some(id) = text.parse::<ClassId>().ok().and_then(|id| self.canonical(id)) {
            return Some(id);
        }
        self.classes.iter().find(|c| c.name.eq_ignore_ascii_case(text)).map(|c| c.id)
    }

    pub fn name_of(&self, id: ClassId) -> Option<&str> {
        self.classes.iter().find(|c| c.id == id).map(|c| c.name.as_str())
    }

    /// The classes that are scored (all but Null), in output order.
    pub fn operations(&self) -> impl Iterator<Item = &ClassInfo> {
        self.classes.iter().filter(move |c| c.id != self.null_id)
    }

    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// A comma-separated list of valid ids, for error messages.
    pub fn describe_ids(&self) -> String {
        self.classes.iter().map(|c| c.id.to_string()).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openpack_table_has_ten_operations_and_null() {
        let table = ClassTable::openpack_operations();
        assert_eq!(table.len(), 11);
        assert_eq!(table.operations().count(), 10);
        assert_eq!(table.null_id, 8100);
        assert_eq!(table.name_of(800), Some("Attach Shipping Label"));
    }

    #[test]
    fn null_alias_folds_into_null() {
        let table = ClassTable::openpack_operations();
        assert_eq!(table.canonical(8200), Some(8100));
        assert_eq!(table.canonical(150), None);
        assert_eq!(table.resolve("scan label"), Some(700));
        assert_eq!(table.resolve("8200"), Some(8100));
    }

    #[test]
    fn a_number_that_is_no_id_resolves_as_a_name() {
        let mut table = ClassTable::openpack_operations();
        assert_eq!(table.resolve("5"), None);
        table.classes.push(ClassInfo { id: 1100, name: "5".into() });
        assert_eq!(table.resolve("5"), Some(1100));
        assert_eq!(table.resolve("100"), Some(100), "an id still wins over a name");
    }
}

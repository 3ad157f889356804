//! Errors for user-supplied data: every one names the file, the line and the field, and says
//! what was expected, so a user can fix the file without reading our code.

use std::fmt;

/// Where in a user's file something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file's name as the user knows it (a path, or the name of a dropped file).
    pub file: String,
    /// 1-based line number; `None` when the problem is about the whole file.
    pub line: Option<u64>,
    /// The column or field concerned; `None` when it concerns a whole line or file.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        Ok(())
    }
}

/// A problem with a data file, located precisely.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct DataError {
    pub location: Location,
    pub message: String,
}

impl DataError {
    /// A problem with the file as a whole (empty, unreadable, inconsistent with another file).
    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self { location: Location { file: file.into(), line: None, field: None }, message: message.into() }
    }

    /// A problem with one line of a file.
    pub fn at_line(file: impl Into<String>, line: u64, message: impl Into<String>) -> Self {
        Self { location: Location { file: file.into(), line: Some(line), field: None }, message: message.into() }
    }

    /// A problem with one field of one line.
    pub fn at_field(file: impl Into<String>, line: u64, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location: Location { file: file.into(), line: Some(line), field: Some(field.into()) },
            message: message.into(),
        }
    }
}

pub type DataResult<T> = Result<T, DataError>;

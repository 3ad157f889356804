//! A model bundle as a user brings it: the folder `trainer export` writes (picked or dropped
//! as a folder) or one zip of it (`trainer export --zip`, or the folder zipped by hand). Plain
//! data, no ML stack: it only finds the bundle's files; [`crate::infer::bundle::ModelBundle`]
//! checks them against the manifest and decodes the models.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use thiserror::Error;

/// The name of a bundle's manifest, at the bundle's root.
pub const MANIFEST: &str = "manifest.json";

/// Why the files given are not a bundle; the message names the file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: {message}")]
pub struct BundleFilesError {
    pub file: String,
    pub message: String,
}

fn error(file: &str, message: impl Into<String>) -> BundleFilesError {
    BundleFilesError { file: file.to_string(), message: message.into() }
}

/// A bundle's files by their path relative to the bundle's root (where `manifest.json` is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleFiles {
    files: BTreeMap<String, Vec<u8>>,
}

impl BundleFiles {
    /// From files as a folder picker or a drop gives them (`model-weights/manifest.json`, ...).
    /// The bundle's root is the shallowest folder holding a `manifest.json`; files outside it
    /// are left out (a nested bundle such as `model-weights/synthetic/` is inside it, kept, and
    /// never read: the manifest names the files that count).
    pub fn from_paths(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Result<Self, BundleFilesError> {
        let files: Vec<(String, Vec<u8>)> =
            files.into_iter().map(|(path, bytes)| (path.replace('\\', "/"), bytes)).collect();
        let root = files
            .iter()
            .filter_map(|(path, _)| root_of(path))
            .min_by_key(|root| (root.matches('/').count(), root.len()))
            .map(str::to_string)
            .ok_or_else(|| {
                error(MANIFEST, "missing: a bundle is the folder `trainer export` writes, with its manifest.json")
            })?;
        let files = files
            .into_iter()
            .filter_map(|(path, bytes)| path.strip_prefix(root.as_str()).map(|relative| (relative.to_string(), bytes)))
            .collect();
        Ok(Self { files })
    }

    /// From a zip of the bundle's folder (its files at the archive's root or in one folder).
    /// `name` is the zip's file name, for errors. Stored and deflated entries are read.
    pub fn from_zip(name: &str, bytes: &[u8]) -> Result<Self, BundleFilesError> {
        let not_zip = |e: zip::result::ZipError| error(name, format!("not a readable zip ({e})"));
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_zip)?;
        let mut files = Vec::with_capacity(archive.len());
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).map_err(not_zip)?;
            if entry.is_dir() {
                continue;
            }
            let path = entry.name().map_err(not_zip)?.to_string();
            let mut contents = Vec::with_capacity(entry.size().min(64 << 20) as usize);
            entry.read_to_end(&mut contents).map_err(|e| error(name, format!("{path} cannot be unpacked ({e})")))?;
            files.push((path, contents));
        }
        Self::from_paths(files).map_err(|e| error(name, e.to_string()))
    }

    /// The bundle as one zip, its files at the archive's root, stored uncompressed (model
    /// records barely compress, and stored zips need no deflate code to read).
    pub fn to_zip(&self) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (path, bytes) in &self.files {
            // Writing to memory fails only on a path zip cannot hold, which bundles do not have.
            writer.start_file(path.as_str(), stored).expect("a bundle path fits a zip");
            writer.write_all(bytes).expect("writing to memory");
        }
        writer.finish().expect("writing to memory").into_inner()
    }

    /// The manifest's text.
    pub fn manifest_json(&self) -> Result<&str, BundleFilesError> {
        let bytes = self.file(MANIFEST).ok_or_else(|| error(MANIFEST, "missing"))?;
        std::str::from_utf8(bytes).map_err(|_| error(MANIFEST, "is not UTF-8 text"))
    }

    /// The bytes of the file at `path` (relative to the bundle's root).
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Every path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Total size of the files, in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.files.values().map(|bytes| bytes.len() as u64).sum()
    }
}

/// Whether files the user picked or dropped are a model bundle rather than a session: one zip
/// (sessions are CSV files), or a folder holding a `manifest.json`.
pub fn looks_like_bundle(paths: &[String]) -> bool {
    match paths {
        [single] => single.to_ascii_lowercase().ends_with(".zip") || root_of(single).is_some(),
        _ => paths.iter().any(|path| root_of(&path.replace('\\', "/")).is_some()),
    }
}

/// The folder prefix (with its trailing `/`, or empty) of a path that names a manifest.
fn root_of(path: &str) -> Option<&str> {
    match path.rsplit_once('/') {
        Some((folder, MANIFEST)) => Some(&path[..folder.len() + 1]),
        None if path == MANIFEST => Some(""),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use zip::CompressionMethod;
    use zip::write::{SimpleFileOptions, ZipWriter};

    use super::*;

    fn folder(prefix: &str) -> Vec<(String, Vec<u8>)> {
        ["manifest.json", "student.bpk", "synthetic/manifest.json"]
            .iter()
            .map(|name| (format!("{prefix}{name}"), name.as_bytes().to_vec()))
            .collect()
    }

    fn zipped(files: &[(String, Vec<u8>)], method: CompressionMethod) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (path, bytes) in files {
            writer.start_file(path.as_str(), SimpleFileOptions::default().compression_method(method)).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_picked_folder_is_read_from_its_shallowest_manifest() {
        let files = BundleFiles::from_paths(folder("team-models/")).unwrap();
        assert_eq!(files.paths().collect::<Vec<_>>(), ["manifest.json", "student.bpk", "synthetic/manifest.json"]);
        assert_eq!(files.manifest_json().unwrap(), "manifest.json");
        assert_eq!(files.file("student.bpk"), Some(&b"student.bpk"[..]));
        let windows = folder("").into_iter().map(|(p, b)| (format!("C:\\models\\{p}"), b));
        assert_eq!(BundleFiles::from_paths(windows).unwrap().manifest_json().unwrap(), "manifest.json");
    }

    #[test]
    fn zips_are_read_stored_or_deflated_at_the_root_or_in_one_folder() {
        for (prefix, method) in [("", CompressionMethod::Stored), ("model-weights/", CompressionMethod::Deflated)] {
            let files = BundleFiles::from_zip("team.zip", &zipped(&folder(prefix), method)).unwrap();
            assert_eq!(files.file("student.bpk"), Some(&b"student.bpk"[..]), "{prefix} {method:?}");
            assert_eq!(files.size_bytes(), (13 + 11 + 23) as u64);
        }
    }

    #[test]
    fn bundles_are_told_from_sessions_by_their_zip_or_manifest() {
        let paths = |list: &[&str]| list.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert!(looks_like_bundle(&paths(&["team.ZIP"])));
        assert!(looks_like_bundle(&paths(&["out/manifest.json", "out/student.bpk"])));
        assert!(!looks_like_bundle(&paths(&["U0101/atr/atr01/S0100.csv", "U0101/annotation/x/S0100.csv"])));
        assert!(!looks_like_bundle(&paths(&["alice-01.csv"])));
    }

    #[test]
    fn a_written_zip_reads_back_the_same_files() {
        let files = BundleFiles::from_paths(folder("out/")).unwrap();
        assert_eq!(BundleFiles::from_zip("out.zip", &files.to_zip()).unwrap(), files);
    }

    #[test]
    fn what_is_not_a_bundle_is_refused_by_name() {
        let no_manifest = vec![("models/student.bpk".to_string(), vec![1, 2])];
        let e = BundleFiles::from_paths(no_manifest.clone()).unwrap_err();
        assert_eq!(e.file, "manifest.json");
        let e = BundleFiles::from_zip("team.zip", &zipped(&no_manifest, CompressionMethod::Stored)).unwrap_err();
        assert_eq!(e.file, "team.zip");
        assert!(e.message.contains("manifest.json"), "{e}");
        let e = BundleFiles::from_zip("notes.zip", b"PK\x03\x04 but nothing more").unwrap_err();
        assert!(e.to_string().starts_with("notes.zip: not a readable zip"), "{e}");
        let latin1 = BundleFiles::from_paths(vec![("manifest.json".to_string(), vec![0xff, 0xfe])]).unwrap();
        assert_eq!(latin1.manifest_json().unwrap_err().message, "is not UTF-8 text");
    }
}

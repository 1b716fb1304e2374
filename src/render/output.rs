//! Writing the archive without ever leaving a half-written `public/`.
//!
//! A build writes a complete new archive into a staging folder beside the
//! output folder and swaps it in: in one step where the system can exchange
//! two folders atomically (Linux), else with two renames. Pages whose bytes did not
//! change are hard-linked from the previous archive instead of written, so
//! they keep their modification time and rsync or object-store uploads send
//! only what changed. An interrupted build leaves the staging folder
//! behind, which the next build removes; if it stopped between the two
//! renames, the next build restores the previous archive first. After an
//! atomic exchange the staging folder holds the previous archive until it
//! is removed: a build stopped then leaves the new archive in place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// What the cache remembers of one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Fingerprint of the inputs the file was made from.
    #[serde(with = "hex128")]
    pub fingerprint: u128,
    /// Hash of the file's bytes.
    #[serde(with = "hex128")]
    pub hash: u128,
    pub len: u64,
    /// Modification time in nanoseconds since the epoch, to notice a file
    /// changed by hand.
    pub mtime_ns: i128,
}

pub(crate) mod hex128 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:032x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        u128::from_str_radix(&s, 16).map_err(serde::de::Error::custom)
    }
}

pub fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    match meta.modified() {
        Ok(t) => match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        },
        Err(_) => 0,
    }
}

/// Whether the file at `path` is still the one a stamp describes.
pub fn unchanged(path: &Path, stamp: &Stamp) -> bool {
    std::fs::metadata(path)
        .is_ok_and(|m| m.is_file() && m.len() == stamp.len && mtime_ns(&m) == stamp.mtime_ns)
}

/// A new archive being written beside the old one; `commit` swaps it in.
/// Dropped without a commit, it is removed and the old archive stays.
pub struct Staging {
    output_dir: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    committed: bool,
}

/// The staging and the set-aside folders of an output folder.
fn side_folders(output_dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let parent = output_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = output_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("public");
    let staging = parent.join(format!(".{name}.staging"));
    let old = parent.join(format!(".{name}.old"));
    (parent, staging, old)
}

/// Repairs what an interrupted build left: restores the previous archive
/// if the build stopped between its two renames, removes a staging folder.
pub fn recover(output_dir: &Path) -> Result<()> {
    let (_, staging, old) = side_folders(output_dir);
    if old.exists() && !output_dir.exists() {
        std::fs::rename(&old, output_dir)
            .with_context(|| format!("cannot restore {}", output_dir.display()))?;
    }
    for d in [&staging, &old] {
        if d.exists() {
            std::fs::remove_dir_all(d).with_context(|| format!("cannot remove {}", d.display()))?;
        }
    }
    Ok(())
}

impl Staging {
    pub fn new(output_dir: &Path) -> Result<Staging> {
        let (parent, dir, old) = side_folders(output_dir);
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        recover(output_dir)?;
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging {
            output_dir: output_dir.to_path_buf(),
            dir,
            old,
            committed: false,
        })
    }

    fn target(&self, rel: &str) -> Result<PathBuf> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        Ok(path)
    }

    /// Writes a new file; returns its stamp.
    pub fn write(&self, rel: &str, bytes: &[u8], fingerprint: u128, hash: u128) -> Result<Stamp> {
        let path = self.target(rel)?;
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        let meta =
            std::fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Stamp {
            fingerprint,
            hash,
            len: meta.len(),
            mtime_ns: mtime_ns(&meta),
        })
    }

    /// Writes a new file as `fill` makes it, without holding its bytes in
    /// memory (for the largest files); returns its stamp, whose hash is the
    /// one [`crate::model::hash_bytes`] gives for the same bytes.
    pub fn write_with(
        &self,
        rel: &str,
        fingerprint: u128,
        fill: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<Stamp> {
        struct Hashing<W> {
            inner: W,
            hash: xxhash_rust::xxh3::Xxh3,
        }
        impl<W: std::io::Write> std::io::Write for Hashing<W> {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                let n = self.inner.write(buf)?;
                self.hash.update(&buf[..n]);
                Ok(n)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                self.inner.flush()
            }
        }
        let path = self.target(rel)?;
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut w = Hashing {
            inner: std::io::BufWriter::with_capacity(1 << 20, file),
            hash: xxhash_rust::xxh3::Xxh3::new(),
        };
        fill(&mut w)?;
        std::io::Write::flush(&mut w)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let meta =
            std::fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Stamp {
            fingerprint,
            hash: w.hash.digest128(),
            len: meta.len(),
            mtime_ns: mtime_ns(&meta),
        })
    }

    /// Carries a file of the previous archive over unchanged.
    pub fn keep(&self, rel: &str) -> Result<()> {
        let from = self.output_dir.join(rel);
        let to = self.target(rel)?;
        if std::fs::hard_link(&from, &to).is_err() {
            // Another file system, or no hard links: copy, keeping the time.
            std::fs::copy(&from, &to).with_context(|| format!("cannot copy {}", from.display()))?;
            if let Ok(t) = std::fs::metadata(&from).and_then(|m| m.modified()) {
                let _ = std::fs::File::options()
                    .write(true)
                    .open(&to)
                    .and_then(|f| f.set_modified(t));
            }
        }
        Ok(())
    }

    pub fn commit(mut self) -> Result<()> {
        if self.output_dir.exists()
            && exchange(&self.dir, &self.output_dir).with_context(|| {
                format!(
                    "cannot move the new archive to {}",
                    self.output_dir.display()
                )
            })?
        {
            // The output folder is the new archive; staging holds the old one.
            self.committed = true;
            std::fs::remove_dir_all(&self.dir)
                .with_context(|| format!("cannot remove {}", self.dir.display()))?;
            return Ok(());
        }
        if self.output_dir.exists() {
            std::fs::rename(&self.output_dir, &self.old).with_context(|| {
                format!(
                    "cannot move the previous {} aside",
                    self.output_dir.display()
                )
            })?;
        }
        std::fs::rename(&self.dir, &self.output_dir).with_context(|| {
            format!(
                "cannot move the new archive to {}",
                self.output_dir.display()
            )
        })?;
        self.committed = true;
        if self.old.exists() {
            std::fs::remove_dir_all(&self.old)
                .with_context(|| format!("cannot remove {}", self.old.display()))?;
        }
        Ok(())
    }
}

/// Swaps two folders in one step (Linux's `renameat2` with
/// `RENAME_EXCHANGE`), so that there is no moment without an output folder.
/// False when the system or the file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are NUL-terminated paths that live across the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP | libc::EPERM) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The build cache (`.gazetteer/build.json` in the site folder): the stamps
/// of the inputs and of every output file of the last build.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildCache {
    pub version: u32,
    pub output_dir: PathBuf,
    /// Input file (relative to the site root) → (size, mtime in ns).
    pub inputs: BTreeMap<String, (u64, i128)>,
    /// Output file (relative to the output folder) → stamp.
    pub outputs: BTreeMap<String, Stamp>,
    /// Problems the last build found, to report again when nothing changed.
    #[serde(default)]
    pub problems: Vec<crate::model::Problem>,
}

pub const CACHE_VERSION: u32 = 1;

impl BuildCache {
    pub fn path(root: &Path) -> PathBuf {
        root.join(".gazetteer").join("build.json")
    }

    /// The cache of the last build, or an empty one when there is none or
    /// it cannot be read (then everything is built).
    pub fn load(root: &Path) -> BuildCache {
        std::fs::read(Self::path(root))
            .ok()
            .and_then(|b| serde_json::from_slice::<BuildCache>(&b).ok())
            .filter(|c| c.version == CACHE_VERSION)
            .unwrap_or_default()
    }

    pub fn save(&self, root: &Path) -> Result<()> {
        let bytes = serde_json::to_vec(self).context("cannot serialise the build cache")?;
        crate::content::write_atomic(&Self::path(root), &bytes)
    }

    /// Whether the output folder is exactly what this cache describes.
    pub fn outputs_intact(&self, output_dir: &Path) -> bool {
        !self.outputs.is_empty()
            && self
                .outputs
                .iter()
                .all(|(rel, stamp)| unchanged(&output_dir.join(rel), stamp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_files_get_the_hash_of_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::new(&dir.path().join("public")).unwrap();
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let stamp = staging
            .write_with("downloads/big.csv", 7, |w| {
                for chunk in bytes.chunks(4099) {
                    w.write_all(chunk)?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(stamp.hash, crate::model::hash_bytes(&bytes));
        assert_eq!(stamp.len, bytes.len() as u64);
        assert_eq!(stamp.fingerprint, 7);
    }

    #[test]
    fn commit_swaps_the_archive_in_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        for round in 0..2 {
            let staging = Staging::new(&out).unwrap();
            staging
                .write("index.html", format!("v{round}").as_bytes(), 0, 0)
                .unwrap();
            staging.commit().unwrap();
            assert_eq!(
                std::fs::read_to_string(out.join("index.html")).unwrap(),
                format!("v{round}")
            );
            let mut names: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            names.sort();
            assert_eq!(names, ["public"]);
        }
    }

    #[test]
    fn a_dropped_staging_leaves_the_archive() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staging = Staging::new(&out).unwrap();
        staging.write("a.html", b"old", 0, 0).unwrap();
        staging.commit().unwrap();
        let staging = Staging::new(&out).unwrap();
        staging.write("a.html", b"new", 0, 0).unwrap();
        drop(staging);
        assert_eq!(std::fs::read(out.join("a.html")).unwrap(), b"old");
        assert!(!dir.path().join(".public.staging").exists());
    }
}

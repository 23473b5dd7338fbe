//! Atomic file replacement for every file draftwatch writes for others to read (`.eml` files,
//! calendar subscription files): a reader sees the old file or the new one, never half a file.
//!
//! The content goes to a temporary file in the same folder, created by the `tempfile` crate
//! with an unpredictable name and `O_EXCL`, so a symlink or file planted in the folder can
//! neither be followed nor overwritten; it is flushed to disk, renamed over the final name
//! (which replaces a symlink there rather than writing through it), and the folder is flushed
//! so the rename survives a power cut.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writing `path` (or creating its folder) failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct AtomicWriteError {
    /// The file or folder that could not be written.
    pub path: PathBuf,
    /// What the operating system said.
    #[source]
    pub source: std::io::Error,
}

/// Create `dir` when missing and replace `dir/name` with `content` atomically. Returns the
/// final path. On failure the temporary file is removed and `dir/name` is unchanged.
pub fn write_atomically(
    dir: &Path,
    name: &str,
    content: &[u8],
) -> Result<PathBuf, AtomicWriteError> {
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| AtomicWriteError { path, source }
    };
    std::fs::create_dir_all(dir).map_err(failed(dir))?;
    let final_path = dir.join(name);
    // Hidden and named after the target, so a leftover from a crash is recognisable; the
    // random part is what makes it safe.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(failed(dir))?;
    temp.write_all(content)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(failed(temp.path()))?;
    // Dropping the temporary file on a failed persist removes it.
    temp.persist(&final_path)
        .map_err(|error| failed(&final_path)(error.error))?;
    sync_folder(dir).map_err(failed(dir))?;
    Ok(final_path)
}

/// Flush the folder entry itself, so the rename is durable and not only the file's bytes.
#[cfg(unix)]
fn sync_folder(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Folders cannot be opened for flushing here; the rename is as durable as the system makes it.
#[cfg(not(unix))]
fn sync_folder(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("nested");
        write_atomically(&out, "a.ics", b"first").expect("first write");
        let path = write_atomically(&out, "a.ics", b"second").expect("second write");
        assert_eq!(path, out.join("a.ics"));
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = std::fs::read_dir(&out)
            .expect("list")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.ics")]);
    }
}

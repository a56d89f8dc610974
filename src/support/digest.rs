//! SHA-256 digests of input files, taken as the files are read.
//!
//! History records the size and SHA-256 of every file an audit was made from. A large tenant's
//! exports run to gigabytes, so the readers that stream or load a file whole digest the bytes
//! they read anyway ([`DigestingReader`], [`FileDigest::of`]) rather than have every file read
//! a second time only to be hashed.

use sha2::{Digest, Sha256};
use std::io::Read;

/// The size and SHA-256 of a file's bytes as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    pub bytes: u64,
    /// `sha256:` and the digest in lower-case hex.
    pub sha256: String,
}

impl FileDigest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> FileDigest {
        FileDigest::finished(Sha256::digest(bytes).as_slice(), bytes.len() as u64)
    }

    fn finished(digest: &[u8], bytes: u64) -> FileDigest {
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        FileDigest {
            bytes,
            sha256: format!("sha256:{hex}"),
        }
    }
}

/// A reader that digests every byte read through it.
pub struct DigestingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> DigestingReader<R> {
    pub fn new(inner: R) -> Self {
        DigestingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The digest of the whole source: what was not read yet is read (and digested) first, so
    /// a reader that stopped early still digests every byte.
    pub fn finish(mut self) -> std::io::Result<FileDigest> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(FileDigest::finished(
            self.hasher.finalize().as_slice(),
            self.bytes,
        ))
    }
}

impl<R: Read> Read for DigestingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.hasher.update(&buffer[..read]);
        self.bytes += read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn bytes_are_digested_whole() {
        assert_eq!(
            FileDigest::of(b"abc"),
            FileDigest {
                bytes: 3,
                sha256: ABC.to_string()
            }
        );
    }

    #[test]
    fn a_reader_digests_what_it_read_and_what_it_left() {
        let mut reader = DigestingReader::new(&b"abc"[..]);
        let mut first = [0u8; 1];
        assert_eq!(reader.read(&mut first).expect("in-memory read"), 1);
        let digest = reader.finish().expect("in-memory read");
        assert_eq!(digest, FileDigest::of(b"abc"));
    }
}

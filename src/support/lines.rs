//! Line numbers of byte offsets, for messages that name the line of a record.

/// Turns byte offsets into 1-based line numbers by counting `\n` in the file itself.
///
/// The csv crate's own line count drifts on CRLF files, and exports from PowerShell are CRLF.
/// Offsets must be asked for in increasing order; each byte is read once, so locating every
/// rejected row of a large export costs one extra sequential read at most.
pub struct LineLocator<R> {
    source: R,
    offset: u64,
    line: u64,
    buffer: Vec<u8>,
}

impl<R: std::io::Read> LineLocator<R> {
    pub fn new(source: R) -> Self {
        LineLocator {
            source,
            offset: 0,
            line: 1,
            buffer: vec![0; 64 * 1024],
        }
    }

    /// The line of a record starting at byte `offset` (or the last line counted, if the
    /// source ends). The byte at `offset` itself is counted too: after a CRLF the csv reader
    /// starts the next record at the `\n`.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        let end = offset.saturating_add(1);
        while self.offset < end {
            let wanted = usize::try_from(end - self.offset)
                .unwrap_or(usize::MAX)
                .min(self.buffer.len());
            let read = match self.source.read(&mut self.buffer[..wanted]) {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            };
            self.line += memchr::memchr_iter(b'\n', &self.buffer[..read]).count() as u64;
            self.offset += read as u64;
        }
        self.line
    }
}

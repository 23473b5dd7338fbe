//! Byte offsets into a file an admin edits, turned into the 1-based `line:column` that error
//! messages show.
//!
//! Why an index: a watchlist may hold 100,000 rules and every rule records its line. Counting
//! newlines from the start of the file for each lookup made loading quadratic; the index
//! finds every line start once, and a lookup is then a binary search plus a walk along one
//! line.

/// Line starts of one text, built once and asked many times.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line begins; the first entry is always 0.
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Scan `text` once for its line starts.
    pub fn new(text: &'a str) -> Self {
        #[cfg(test)]
        BUILDS.with(|builds| builds.set(builds.get() + 1));
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    /// 1-based line and column (counted in characters) of the byte `offset`. An offset past
    /// the end means the end; one inside a character means that character.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // The last line start at or before `offset`; `line_starts[0] == 0` keeps it in range.
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let line_start = self.line_starts[line - 1];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }
}

#[cfg(test)]
thread_local! {
    /// How many indexes this thread has built, so tests can check that a file is scanned once.
    static BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many [`LineIndex`]es the calling thread has built so far.
#[cfg(test)]
pub(crate) fn builds_on_this_thread() -> usize {
    BUILDS.with(std::cell::Cell::get)
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    /// The obvious definition the index must agree with: count what comes before.
    fn locate_by_rescanning(text: &str, offset: usize) -> (usize, usize) {
        let before: String = text
            .chars()
            .scan(0, |at, c| {
                *at += c.len_utf8();
                (*at <= offset).then_some(c)
            })
            .collect();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    #[test]
    fn agrees_with_rescanning_on_every_offset() {
        let text = "name = \"bērni\"\n\n[[rules]]\nword = \"ģimene\"\r\nlast line without newline";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 3 {
            assert_eq!(
                index.locate(offset),
                locate_by_rescanning(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn empty_text_is_line_one_column_one() {
        assert_eq!(LineIndex::new("").locate(0), (1, 1));
        assert_eq!(LineIndex::new("").locate(10), (1, 1));
    }

    #[test]
    fn offset_after_final_newline_is_the_next_line() {
        assert_eq!(LineIndex::new("a\n").locate(2), (2, 1));
    }
}

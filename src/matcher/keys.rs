//! A table from whole-word keys (stems or folded words) to pattern numbers, probed once for
//! every word of every draft.
//!
//! Why not a `HashMap<String, _>`: this lookup runs for every word the matcher reads, so it
//! must cost a few instructions. Keys of up to 16 bytes (nearly all Latvian stems) live inside
//! the table as two numbers, so a probe is two loads from the text, two multiplies and one
//! comparison, with no pointer to follow; longer keys go to an ordinary map. A one-byte tag
//! per slot, kept apart, answers most probes (most words are no rule's key) from a few
//! kilobytes that stay in the fastest cache.

use std::collections::HashMap;

/// Longest key kept inside the table.
const INLINE: usize = 16;

/// One slot: a key of up to [`INLINE`] bytes as two little-endian numbers padded with zeros,
/// its length and its pattern number (whether the slot is used is its tag's business).
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    low: u64,
    high: u64,
    len: u32,
    pattern: u32,
}

/// Keys to pattern numbers; see the module documentation.
#[derive(Debug, Clone)]
pub(crate) struct KeyTable {
    /// A power of two of slots, at most half full, probed linearly.
    slots: Vec<Slot>,
    /// Per slot: 0 when empty, else seven bits of the key's hash with the top bit set.
    tags: Vec<u8>,
    /// Right shift that turns a hash into a slot index (the hash's top bits).
    shift: u32,
    /// Keys longer than [`INLINE`] bytes.
    long: HashMap<Box<[u8]>, usize>,
}

/// The key of up to [`INLINE`] bytes at `bytes[start..start + len]` as two numbers padded with
/// zeros. Reads 16 bytes at once when the text has them (the streams always have spaces
/// after a key), else copies.
fn load(bytes: &[u8], start: usize, len: usize) -> (u64, u64) {
    let mut window = [0u8; INLINE];
    match bytes.get(start..start + INLINE) {
        Some(slice) => window.copy_from_slice(slice),
        None => {
            let available = bytes.get(start..).unwrap_or(&[]);
            for (slot, &byte) in window.iter_mut().zip(available) {
                *slot = byte;
            }
        }
    }
    let mask = |bytes_kept: usize| {
        u64::MAX
            .checked_shr(64 - 8 * bytes_kept.min(8) as u32)
            .unwrap_or(0)
    };
    let (low, high) = window.split_at(8);
    let number = |half: &[u8]| {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(half);
        u64::from_le_bytes(eight)
    };
    (
        number(low) & mask(len),
        number(high) & mask(len.saturating_sub(8)),
    )
}

/// A 64-bit hash of an inline key (multiply-xor; the top bits are used).
fn hash(low: u64, high: u64, len: usize) -> u64 {
    let mixed = low.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ high.rotate_left(23).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ (len as u64);
    mixed ^ (mixed >> 29).wrapping_mul(0x1656_67B1_9E37_79F9)
}

impl KeyTable {
    /// A table of `keys`, the pattern number of each being its index.
    pub(crate) fn new<'a>(keys: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let capacity = (keys.len() * 2).next_power_of_two().max(16);
        let mut table = KeyTable {
            slots: vec![Slot::default(); capacity],
            tags: vec![0; capacity],
            shift: 64 - capacity.trailing_zeros(),
            long: HashMap::new(),
        };
        for (pattern, key) in keys.enumerate() {
            table.insert(key.as_bytes(), pattern);
        }
        table
    }

    /// The slot where probing for a key starts, and the key's tag.
    fn first_slot(&self, low: u64, high: u64, len: usize) -> (usize, u8) {
        let hash = hash(low, high, len);
        ((hash >> self.shift) as usize, (hash as u8) | 0x80)
    }

    fn insert(&mut self, key: &[u8], pattern: usize) {
        if key.len() > INLINE {
            self.long.insert(key.into(), pattern);
            return;
        }
        let (low, high) = load(key, 0, key.len());
        let mask = self.slots.len() - 1;
        let (mut index, key_tag) = self.first_slot(low, high, key.len());
        let (Ok(len), Ok(pattern)) = (u32::try_from(key.len()), u32::try_from(pattern)) else {
            return;
        };
        while let (Some(slot), Some(tag)) = (self.slots.get_mut(index), self.tags.get_mut(index)) {
            let same = slot.low == low && slot.high == high && slot.len == len;
            if *tag == 0 || same {
                *slot = Slot {
                    low,
                    high,
                    len,
                    pattern,
                };
                *tag = key_tag;
                return;
            }
            index = (index + 1) & mask;
        }
    }

    /// The pattern number of the key `bytes[range]`, if it is in the table.
    #[inline]
    pub(crate) fn get(&self, bytes: &[u8], range: std::ops::Range<usize>) -> Option<usize> {
        let len = range.len();
        if len > INLINE {
            return bytes.get(range).and_then(|key| self.long.get(key)).copied();
        }
        let (low, high) = load(bytes, range.start, len);
        let mask = self.slots.len() - 1;
        let (mut index, key_tag) = self.first_slot(low, high, len);
        // The table is at most half full, so an empty slot ends every probe.
        while let Some(&tag) = self.tags.get(index) {
            if tag == 0 {
                return None;
            }
            if tag == key_tag
                && let Some(slot) = self.slots.get(index)
                && slot.low == low
                && slot.high == high
                && slot.len as usize == len
            {
                return Some(slot.pattern as usize);
            }
            index = (index + 1) & mask;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The table finds exactly the keys put in, wherever they sit in a text, at its end
        /// included, and however long.
        #[test]
        fn finds_exactly_its_keys(
            keys in proptest::collection::hash_set("[a-z]{1,20}", 0..60),
            probes in proptest::collection::vec("[a-z]{1,20}", 0..60),
        ) {
            let keys: Vec<String> = keys.into_iter().collect();
            let table = KeyTable::new(keys.iter().map(String::as_str));
            for (pattern, key) in keys.iter().enumerate() {
                let text = format!(" {key} ");
                prop_assert_eq!(table.get(text.as_bytes(), 1..1 + key.len()), Some(pattern));
                // At the very end of a text, where fewer than 16 bytes follow.
                prop_assert_eq!(table.get(key.as_bytes(), 0..key.len()), Some(pattern));
            }
            for probe in &probes {
                let expected = keys.iter().position(|k| k == probe);
                let text = format!("{probe}  and more text after it");
                prop_assert_eq!(table.get(text.as_bytes(), 0..probe.len()), expected);
            }
        }
    }

    #[test]
    fn empty_table_finds_nothing() {
        let table = KeyTable::new(std::iter::empty());
        assert_eq!(table.get(b"bern", 0..4), None);
    }
}

//! Memory requirement of an exec: what an eager load allocates, computed before the point
//! of no return, with the interpreter's share cached by file identity.

use crate::addr::Prot;
use crate::host::FileId;
use crate::image::{Content, Image};

/// Memory one image needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ImageMemory {
    /// Bytes an eager load allocates (every page of every mapping).
    pub eager: u64,
    /// Bytes of committed anonymous memory (writable or zero-filled pages).
    pub anonymous: u64,
}

impl ImageMemory {
    /// Counts the pages of `image`'s mappings.
    pub fn of(image: &Image) -> ImageMemory {
        let mut m = ImageMemory::default();
        for map in image.mappings() {
            let len = map.range.len();
            m.eager = m.eager.saturating_add(len);
            if map.prot.contains(Prot::WRITE) || matches!(map.content, Content::Zero) {
                m.anonymous = m.anonymous.saturating_add(len);
            }
        }
        m
    }
}

/// The memory requirement of a whole exec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MemoryRequirement {
    /// The program's share.
    pub main: ImageMemory,
    /// The interpreter's share.
    pub interp: ImageMemory,
    /// Initial stack pages (from the page holding sp to the top).
    pub stack: u64,
    /// Whether the interpreter's share came from the cache.
    pub interp_cached: bool,
}

impl MemoryRequirement {
    /// Everything an eager load allocates: images and stack.
    pub fn eager_bytes(&self) -> u64 {
        self.main.eager.saturating_add(self.interp.eager).saturating_add(self.stack)
    }

    /// Committed anonymous memory: writable and bss pages, and the stack.
    pub fn anonymous_bytes(&self) -> u64 {
        self.main.anonymous.saturating_add(self.interp.anonymous).saturating_add(self.stack)
    }
}

/// Caches the interpreter's [`ImageMemory`] keyed by [`FileId`] (never by pointer); a
/// different identity, generation included, recomputes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryCache {
    entry: Option<(FileId, ImageMemory)>,
    hits: u64,
    misses: u64,
}

impl MemoryCache {
    /// An empty cache.
    pub const fn new() -> Self {
        Self { entry: None, hits: 0, misses: 0 }
    }

    /// The requirement of `image`, from the cache when its identity matches.
    pub fn lookup(&mut self, image: &Image) -> (ImageMemory, bool) {
        match (image.id, self.entry) {
            (Some(id), Some((cached, m))) if id == cached => {
                self.hits = self.hits.saturating_add(1);
                (m, true)
            }
            (id, _) => {
                self.misses = self.misses.saturating_add(1);
                let m = ImageMemory::of(image);
                if let Some(id) = id {
                    self.entry = Some((id, m));
                }
                (m, false)
            }
        }
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }
}

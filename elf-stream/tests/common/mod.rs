//! Shared helpers for elf-stream's integration tests: file discovery for fixtures, the
//! shared corpus and host binaries, and a full parse ("summary") generic over the source.
//! Synthetic files come from `test_support::elf`.
#![allow(dead_code)]

use elf_stream::{
    ElfFile, Error, FileHeader, GnuProperties, Limits, MipsAbiFlags, MipsOption, Note, ProgramHeader,
    ProgramType, ReadAt, PATH_MAX,
};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

pub fn is_elf(path: &Path) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    if !meta.file_type().is_file() {
        return false;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == b"\x7fELF"
}

/// ELF files directly inside `dir`, sorted by name (empty when the folder is missing).
pub fn elf_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| is_elf(p)).collect();
    v.sort();
    v
}

/// The project's fixtures: every ELF in `testdata/bin`, whatever it holds.
pub fn fixture_files() -> Vec<PathBuf> {
    elf_files_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/bin"))
}

/// The shared corpus (`../shared/corpus/bin` beside the workspace), when present.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bin")
}

pub fn corpus_files() -> Vec<PathBuf> {
    elf_files_in(&corpus_dir())
}

/// Fixtures and corpus together (under Miri, ~1000x slower, only the fixtures).
pub fn project_files() -> Vec<PathBuf> {
    let mut v = fixture_files();
    if !cfg!(miri) {
        v.extend(corpus_files());
    }
    v
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
        if meta.file_type().is_dir() {
            if depth > 0 {
                walk(&p, out, depth - 1);
            }
        } else if meta.file_type().is_file() && meta.len() <= 16 << 20 && is_elf(&p) {
            out.push(p);
        }
    }
}

/// Up to `cap` ELF files of the host (`/usr/bin`, `/usr/sbin`, `/usr/libexec`, `/usr/lib`,
/// `/lib`...), no symlinks, at most 16 MiB each, spread evenly over the sorted list so that
/// executables and libraries are both represented. Deterministic for a given host.
pub fn host_files(cap: usize) -> Vec<PathBuf> {
    if cfg!(miri) {
        return Vec::new(); // the fixtures stand in for them under Miri
    }
    let mut all = Vec::new();
    for root in ["/usr/bin", "/usr/sbin", "/usr/libexec", "/usr/lib", "/usr/lib64", "/usr/local/bin"] {
        walk(Path::new(root), &mut all, 4);
    }
    all.sort();
    all.dedup();
    if all.len() <= cap {
        return all;
    }
    (0..cap).map(|i| all[i * all.len() / cap].clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// A full parse, generic over the source
// ---------------------------------------------------------------------------------------------

/// Everything elf-stream reads from a file, part by part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub header: Result<(FileHeader, u32), Error>,
    pub phdrs: Result<Vec<ProgramHeader>, Error>,
    pub interp: Result<Option<Vec<u8>>, Error>,
    pub props: Result<Option<GnuProperties>, Error>,
    /// Per PT_NOTE / PT_GNU_PROPERTY segment, its notes.
    pub notes: Result<Vec<(u32, Vec<Note>)>, Error>,
    pub abiflags: Result<Option<MipsAbiFlags>, Error>,
    /// Per PT_MIPS_OPTIONS segment, its records.
    pub options: Result<Vec<(u32, Vec<MipsOption>)>, Error>,
}

/// One part of a [`Summary`]'s `Ok` values, by reference.
#[derive(Debug, PartialEq, Eq)]
pub enum Part<'a> {
    Header(&'a (FileHeader, u32)),
    Phdrs(&'a Vec<ProgramHeader>),
    Interp(&'a Option<Vec<u8>>),
    Props(&'a Option<GnuProperties>),
    Notes(&'a Vec<(u32, Vec<Note>)>),
    AbiFlags(&'a Option<MipsAbiFlags>),
    Options(&'a Vec<(u32, Vec<MipsOption>)>),
}

impl Summary {
    /// Parses everything; each part keeps its own result.
    pub fn of<R: ReadAt>(source: R, limits: Limits) -> Summary {
        Summary::with_window::<R, { elf_stream::DEFAULT_WINDOW }>(source, limits)
    }

    /// [`Summary::of`] with a head window of `W` bytes.
    pub fn with_window<R: ReadAt, const W: usize>(source: R, limits: Limits) -> Summary {
        let elf: ElfFile<R, W> = match ElfFile::open_with(source, limits) {
            Ok(elf) => elf,
            Err(e) => {
                return Summary {
                    header: Err(e),
                    phdrs: Err(e),
                    interp: Err(e),
                    props: Err(e),
                    notes: Err(e),
                    abiflags: Err(e),
                    options: Err(e),
                }
            }
        };
        let phdrs: Result<Vec<ProgramHeader>, Error> = elf.program_headers().collect();
        let mut path = [0u8; PATH_MAX];
        let interp = elf.interpreter(&mut path).map(|p| p.map(<[u8]>::to_vec));
        let props = elf.gnu_properties();
        let notes = phdrs.clone().and_then(|phs| {
            let mut out = Vec::new();
            for ph in
                phs.iter().filter(|p| p.kind == ProgramType::NOTE || p.kind == ProgramType::GNU_PROPERTY)
            {
                out.push((ph.index, elf.notes(ph)?.collect::<Result<Vec<_>, _>>()?));
            }
            Ok(out)
        });
        let abiflags = elf.mips_abiflags();
        let options = phdrs.clone().and_then(|phs| {
            let mut out = Vec::new();
            for ph in phs.iter().filter(|p| p.kind == ProgramType::MIPS_OPTIONS) {
                out.push((ph.index, elf.mips_options(ph)?.collect::<Result<Vec<_>, _>>()?));
            }
            Ok(out)
        });
        Summary { header: Ok((*elf.header(), elf.phnum())), phdrs, interp, props, notes, abiflags, options }
    }

    /// Every part's result. The parts compare structurally and are rendered only in
    /// failure messages (Miri runs these comparisons thousands of times).
    pub fn parts(&self) -> [(&'static str, Result<Part<'_>, Error>); 7] {
        fn r<'a, T>(x: &'a Result<T, Error>, part: fn(&'a T) -> Part<'a>) -> Result<Part<'a>, Error> {
            x.as_ref().map(part).map_err(|e| *e)
        }
        [
            ("header", r(&self.header, Part::Header)),
            ("phdrs", r(&self.phdrs, Part::Phdrs)),
            ("interp", r(&self.interp, Part::Interp)),
            ("props", r(&self.props, Part::Props)),
            ("notes", r(&self.notes, Part::Notes)),
            ("abiflags", r(&self.abiflags, Part::AbiFlags)),
            ("options", r(&self.options, Part::Options)),
        ]
    }

    /// Whether every part of `self` is either the same as `clean`'s or an error accepted by
    /// `ok_error`; returns the first offending part's name otherwise.
    pub fn consistent_with(&self, clean: &Summary, ok_error: impl Fn(&Error) -> bool) -> Result<(), String> {
        for ((name, mine), (_, theirs)) in self.parts().into_iter().zip(clean.parts()) {
            match (&mine, &theirs) {
                (a, b) if a == b => {}
                (Err(e), _) if ok_error(e) => {}
                _ => return Err(format!("{name}: got {mine:?}, clean run gave {theirs:?}")),
            }
        }
        Ok(())
    }
}

/// Reads a file, panicking with its name on failure.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

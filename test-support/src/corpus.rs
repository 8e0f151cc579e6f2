//! The programs the architecture suites run: the shared corpus (`../shared/corpus/bin`)
//! and the project's fixtures (`testdata/bin`), each with the sysroot its manifest gives.

use crate::elf::{get, Class, Endian, HeaderField, Machine};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shared corpus's binaries.
pub fn corpus_bin() -> PathBuf {
    repo().join("../shared/corpus/bin")
}

/// The project's fixtures.
pub fn fixtures_bin() -> PathBuf {
    repo().join("testdata/bin")
}

/// One ELF file of a program directory.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its path.
    pub path: PathBuf,
    /// Its file name.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its PT_INTERP path, if it has a readable one.
    pub interp: Option<String>,
    /// The sysroot its manifest names for it (`None`: not named, or `-`).
    pub sysroot: Option<String>,
}

impl Entry {
    /// `e_machine` and whether the file is big-endian (`None`: too short for a header).
    pub fn machine(&self) -> Option<(u16, bool)> {
        let b = &self.bytes;
        let big = *b.get(5)? == 2;
        let m = [*b.get(18)?, *b.get(19)?];
        Some((if big { u16::from_be_bytes(m) } else { u16::from_le_bytes(m) }, big))
    }
}

/// The PT_INTERP path of an ELF file.
pub fn interp_of(bytes: &[u8]) -> Option<String> {
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(bytes).ok()?;
    let mut buf = [0u8; 4096];
    let p = elf.interpreter(&mut buf).ok()??;
    Some(String::from_utf8_lossy(p).into_owned())
}

/// name -> the `root_col` column of a MANIFEST.tsv (an absent file: empty).
fn sysroots(manifest: &Path, root_col: usize) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(manifest) else { return HashMap::new() };
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f.first()?.to_string(), f.get(root_col)?.to_string()))
        })
        .collect()
}

/// The ELF files of `dir`, sorted by name, with their sysroots from `manifest`.
fn entries(dir: &Path, manifest: &Path, root_col: usize) -> Vec<Entry> {
    let roots = sysroots(manifest, root_col);
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = read.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            if !bytes.starts_with(b"\x7fELF") {
                return None;
            }
            let name = path.file_name()?.to_str()?.to_string();
            let sysroot = roots.get(&name).filter(|r| *r != "-").cloned();
            Some(Entry { interp: interp_of(&bytes), path, name, bytes, sysroot })
        })
        .collect()
}

/// Every ELF file of the shared corpus, then of the fixtures.
pub fn all() -> Vec<Entry> {
    let mut v = entries(&corpus_bin(), &corpus_bin().join("MANIFEST.tsv"), 2);
    v.extend(entries(&fixtures_bin(), &repo().join("testdata/MANIFEST.tsv"), 8));
    v
}

/// A program an architecture suite runs: the file, the root its PT_INTERP resolves under,
/// and what its identification says (read raw: a synthetic file may lie in it).
#[derive(Clone, Debug)]
pub struct Program {
    /// Its path.
    pub path: PathBuf,
    /// Its name (the file name, or the synthetic case's).
    pub name: String,
    /// The root under which its PT_INTERP resolves.
    pub root: PathBuf,
    /// Its PT_INTERP path.
    pub interp: Option<String>,
    /// `EI_CLASS`.
    pub class: Class,
    /// `EI_DATA`.
    pub endian: Endian,
    /// `e_flags`, read in the class and byte order the identification gives.
    pub flags: u32,
}

impl Program {
    /// The program at `path` (read for its identification and `e_flags`).
    pub fn new(path: PathBuf, name: &str, root: &str, interp: Option<String>) -> Program {
        let head = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let class = if head[4] == 2 { Class::Elf64 } else { Class::Elf32 };
        let endian = if head[5] == 2 { Endian::Big } else { Endian::Little };
        let (at, size) = HeaderField::Flags.at(class);
        let flags = get(&head, at, size, endian) as u32;
        Program { path, name: name.to_string(), root: root.into(), interp, class, endian, flags }
    }

    /// The file at `path` run directly (a dynamic linker), named after its file name,
    /// its own interpreters (none) under `root`.
    pub fn direct(path: &str, root: &str) -> Program {
        let path = PathBuf::from(path);
        let name = path.file_name().and_then(|n| n.to_str()).expect("a file name").to_string();
        Program::new(path, &name, root, None)
    }

    /// Its bytes.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap_or_else(|e| panic!("{}: {e}", self.path.display()))
    }
}

/// Every program for `machine` of the shared corpus and of the fixtures, under the
/// sysroot its manifest names or else `default_root(interp, byte order)`.
pub fn programs(machine: Machine, default_root: impl Fn(Option<&str>, Endian) -> String) -> Vec<Program> {
    all()
        .into_iter()
        .filter(|e| e.machine().is_some_and(|(m, _)| m == machine.0))
        .map(|e| {
            let endian = if e.bytes[5] == 2 { Endian::Big } else { Endian::Little };
            let root = e.sysroot.clone().unwrap_or_else(|| default_root(e.interp.as_deref(), endian));
            Program::new(e.path, &e.name, &root, e.interp)
        })
        .collect()
}

/// The program named `name` of `programs`.
pub fn named(programs: Vec<Program>, name: &str) -> Program {
    programs.into_iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no program {name}"))
}

//! Small runnable programs for the architecture tests: a static ET_EXEC or an ET_DYN of
//! two or more PT_LOADs whose code, interpreter path and GNU property note sit at fixed
//! offsets of the first page, built with [`crate::elf::Builder`].
//!
//! The programs run under the real kernels (the sysoracle boots) as well as through
//! execcore, so each architecture's tests give them real instructions (`code`), e.g. an
//! `exit(0)`.

use crate::corpus::Program;
use crate::elf::{property_note, Builder, Ident, Seg, RW, RWX};
pub use crate::elf::{ElfType, Endian, Machine, SegmentFlags, R, RX};
use elf_stream::{Class, ProgramType};
use exec_core::ArchPolicy;
use std::path::Path;

/// Where the PT_INTERP path is written.
pub const INTERP_AT: usize = 0x600;
/// Where the code (the entry point of [`Synth::exec`]-style programs) is written.
pub const CODE_AT: usize = 0x800;
/// Where the PT_GNU_PROPERTY note is written.
pub const PROPERTY_AT: usize = 0x900;
/// `GNU_PROPERTY_AARCH64_FEATURE_1_AND` and `GNU_PROPERTY_RISCV_FEATURE_1_AND` (the same
/// number in the processor-specific range).
pub const FEATURE_1_AND: u32 = 0xc000_0000;

/// A property note whose `FEATURE_1_AND` has 8 bytes of data instead of 4: Linux refuses
/// it (ENOEXEC) where it reads the note (arm64), ignores it where it does not (riscv64).
pub fn bad_feature_note() -> Vec<u8> {
    property_note(&[(FEATURE_1_AND, &[1, 0, 0, 0, 0, 0, 0, 0])])
}

/// Whether `policy` plans the stack of `program` executable with a PT_GNU_STACK asking
/// for it, without a PT_GNU_STACK, and as `program` has it.
pub fn stack_exec<P: ArchPolicy>(policy: &P, program: &Synth) -> [bool; 3] {
    let plan = |s: &Synth| crate::plan::plan_bytes(policy, &s.build(), Path::new("/")).expect("planned");
    let with = |gnu_stack| plan(&Synth { gnu_stack, ..program.clone() }).stack.exec;
    [with(Some(true)), with(None), plan(program).stack.exec]
}

/// One PT_LOAD of a synthetic program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Load {
    /// `p_vaddr` (and `p_paddr`).
    pub vaddr: u64,
    /// `p_offset`.
    pub offset: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
    /// `p_flags`.
    pub flags: SegmentFlags,
    /// `p_align`.
    pub align: u64,
}

/// A synthetic ELF64 program: the file header and program headers at offset 0 (covered by
/// the first PT_LOAD), PT_INTERP at [`INTERP_AT`], code at [`CODE_AT`], PT_GNU_PROPERTY at
/// [`PROPERTY_AT`], PT_GNU_STACK last.
#[derive(Clone, Debug)]
pub struct Synth {
    /// `e_type`.
    pub e_type: ElfType,
    /// The byte order of every header field (the code is written little-endian, as both
    /// AArch64 and RISC-V fetch instructions).
    pub endian: Endian,
    /// `e_machine`.
    pub machine: Machine,
    /// `e_flags`.
    pub flags: u32,
    /// `e_entry`.
    pub entry: u64,
    /// The PT_LOADs, in table order.
    pub loads: Vec<Load>,
    /// The PT_INTERP path.
    pub interp: Option<String>,
    /// Raw bytes of the PT_GNU_PROPERTY segment (a note).
    pub property: Option<Vec<u8>>,
    /// PT_GNU_PROPERTY `p_align` (Linux does not look at it).
    pub property_align: u64,
    /// PT_GNU_STACK: `Some(executable)`, or `None` for no PT_GNU_STACK.
    pub gnu_stack: Option<bool>,
    /// Instructions at [`CODE_AT`].
    pub code: Vec<u32>,
    /// `e_ident` bytes written over the built file (malformed identification).
    pub ident: Vec<(Ident, u8)>,
}

impl Synth {
    /// A static little-endian ET_EXEC for `machine`: text (one page from offset 0) at
    /// `text`, then data (0x100 bytes from offset 0x1000, 0x3000 in memory) at
    /// `text + data_gap + 0x1000`, both aligned to `align`; entry at the code.
    pub fn exec(machine: Machine, text: u64, data_gap: u64, align: u64, code: &[u32]) -> Synth {
        Synth {
            e_type: ElfType::EXEC,
            endian: Endian::Little,
            machine,
            flags: 0,
            entry: text + CODE_AT as u64,
            loads: vec![
                Load { vaddr: text, offset: 0, filesz: 0x1000, memsz: 0x1000, flags: RX, align },
                Load {
                    vaddr: text + data_gap + 0x1000,
                    offset: 0x1000,
                    filesz: 0x100,
                    memsz: 0x3000,
                    flags: RW,
                    align,
                },
            ],
            interp: None,
            property: None,
            property_align: 8,
            gnu_stack: Some(false),
            code: code.to_vec(),
            ident: Vec::new(),
        }
    }

    /// The same program as an ET_DYN linked at 0: every PT_LOAD and the entry moved down
    /// by the first PT_LOAD's address.
    pub fn pie(mut self) -> Synth {
        let base = self.loads.first().map_or(0, |l| l.vaddr);
        self.e_type = ElfType::DYN;
        self.entry -= base;
        for l in &mut self.loads {
            l.vaddr -= base;
        }
        self
    }

    /// Sets every PT_LOAD's alignment.
    pub fn align(mut self, a: u64) -> Synth {
        for l in &mut self.loads {
            l.align = a;
        }
        self
    }

    /// Moves the second PT_LOAD to `a` (at least a page) after the first and sets every
    /// PT_LOAD's alignment to `a`.
    pub fn realign(mut self, a: u64) -> Synth {
        let base = self.loads[0].vaddr;
        self.loads[1].vaddr = base + a.max(0x1000);
        self.align(a)
    }

    /// Sets the PT_INTERP path.
    pub fn interp(mut self, path: &str) -> Synth {
        self.interp = Some(path.to_string());
        self
    }

    /// Sets `e_flags`.
    pub fn flags(mut self, flags: u32) -> Synth {
        self.flags = flags;
        self
    }

    /// A PT_GNU_PROPERTY note with the architecture's `FEATURE_1_AND` = `bits`.
    pub fn features(mut self, bits: u32) -> Synth {
        self.property = Some(property_note(&[(FEATURE_1_AND, &bits.to_le_bytes())]));
        self
    }

    /// Sets the PT_GNU_PROPERTY segment's bytes.
    pub fn property(mut self, note: Vec<u8>) -> Synth {
        self.property = Some(note);
        self
    }

    /// Writes `v` over `e_ident[which]` after the build.
    pub fn ident(mut self, which: Ident, v: u8) -> Synth {
        self.ident.push((which, v));
        self
    }

    /// The whole file (at least a page; up to the end of the last PT_LOAD's file bytes).
    pub fn build(&self) -> Vec<u8> {
        let end = self.loads.iter().map(|l| l.offset + l.filesz).max().unwrap_or(0);
        self.build_head(end as usize)
    }

    /// The file's first `len` bytes (at least a page: headers, interpreter path, code,
    /// note), for sources that generate the rest.
    pub fn build_head(&self, len: usize) -> Vec<u8> {
        let base = self.loads.first().map_or(0, |l| l.vaddr - l.offset);
        let at = |offset: usize| base + offset as u64;
        let interp =
            self.interp.as_ref().map(|i| Seg::interp(i.as_bytes()).placed(INTERP_AT).vaddr(at(INTERP_AT)));
        let loads = self
            .loads
            .iter()
            .map(|l| Seg::load(l.vaddr, l.filesz, l.memsz, l.flags).at(l.offset).align(l.align));
        let property = self.property.as_ref().map(|p| {
            Seg::new(ProgramType::GNU_PROPERTY, p.clone())
                .placed(PROPERTY_AT)
                .vaddr(at(PROPERTY_AT))
                .align(self.property_align)
        });
        let stack = self.gnu_stack.map(|x| {
            Seg::new(ProgramType::GNU_STACK, Vec::new()).flags(if x { RWX } else { RW }).at(0).align(16)
        });
        let code: Vec<u8> = self.code.iter().flat_map(|insn| insn.to_le_bytes()).collect();
        let b = Builder::new(Class::Elf64, self.endian)
            .e_type(self.e_type)
            .machine(self.machine)
            .flags(self.flags)
            .entry(self.entry)
            .segs(interp)
            .segs(loads)
            .segs(property)
            .segs(stack)
            .bytes_at(CODE_AT, &code)
            .len(len.max(0x1000));
        assert!(64 + 56 * b.segs.len() <= INTERP_AT, "the program headers end before the interpreter path");
        assert!(CODE_AT + code.len() <= PROPERTY_AT, "the code ends before the property note");
        let mut img = b.build();
        for &(which, v) in &self.ident {
            img.set_ident(which, v);
        }
        img.bytes
    }
}

/// The synthetic programs `cases` (name, program, root of its interpreter), each written
/// under `dir` ([`crate::sysoracle::write_program`]: their hashes key the oracle's cache).
pub fn write_programs(dir: &Path, cases: Vec<(&str, Synth, &str)>) -> Vec<Program> {
    cases
        .into_iter()
        .map(|(name, s, root)| {
            let path = crate::sysoracle::write_program(dir, name, &s.build());
            Program::new(path, name, root, s.interp)
        })
        .collect()
}

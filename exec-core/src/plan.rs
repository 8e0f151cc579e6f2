//! `ExecPlan`: everything `prepare` decided, ready for `load` and the stack builder.

use crate::addr::{AddrRange, UserAddr};
use crate::auxv::Auxv;
use crate::image::{Image, Mapping};
use crate::layout::MmapArea;
use crate::memory::MemoryRequirement;
use crate::policy::{Abi, EntryRegisters};
use crate::stack::StackPlan;
use crate::text_patch::TextScanFn;
use elf_stream::Endian;

/// The complete plan of one exec. Nothing has touched any address space yet.
#[derive(Clone, Debug)]
pub struct ExecPlan<I> {
    /// The ABI the policy selected.
    pub abi: Abi,
    /// The program.
    pub main: Image,
    /// Its interpreter.
    pub interp: Option<Image>,
    /// Where execution starts: the interpreter's entry when dynamic.
    pub entry: UserAddr,
    /// `start_brk`.
    pub brk: UserAddr,
    /// The mmap area after placing the images.
    pub mmap: MmapArea,
    /// The initial stack.
    pub stack: StackPlan,
    /// The auxiliary vector, in stack order, without AT_NULL.
    pub auxv: Auxv,
    /// Registers at entry.
    pub registers: EntryRegisters,
    /// Memory an eager load needs.
    pub memory: MemoryRequirement,
    /// Bytes reserved through the host for a batch job (0 when none): released on
    /// failure, handed over to the process on success.
    pub reserved: u64,
    /// Arch facts (FPU mode, BTI, errata...).
    pub arch: I,
    /// The policy's erratum scanner for mappings marked
    /// [`TEXT_PATCH`](crate::MappingFlags::TEXT_PATCH) ([`ArchPolicy::text_scanner`]);
    /// an eager load calls it on each of their pages.
    ///
    /// [`ArchPolicy::text_scanner`]: crate::policy::ArchPolicy::text_scanner
    pub text_scan: Option<TextScanFn>,
}

impl<I> ExecPlan<I> {
    /// Every mapping of the program then the interpreter.
    pub fn mappings(&self) -> impl Iterator<Item = Mapping> + '_ {
        self.main.mappings().chain(self.interp.iter().flat_map(Image::mappings))
    }

    /// The same plan with its arch facts converted (the C ABI stores one type for every arch).
    pub fn map_arch<J>(self, f: impl FnOnce(I) -> J) -> ExecPlan<J> {
        ExecPlan {
            abi: self.abi,
            main: self.main,
            interp: self.interp,
            entry: self.entry,
            brk: self.brk,
            mmap: self.mmap,
            stack: self.stack,
            auxv: self.auxv,
            registers: self.registers,
            memory: self.memory,
            reserved: self.reserved,
            arch: f(self.arch),
            text_scan: self.text_scan,
        }
    }

    /// The images, program first.
    pub fn images(&self) -> impl Iterator<Item = &Image> {
        core::iter::once(&self.main).chain(self.interp.as_ref())
    }
}

impl<I: Default> ExecPlan<I> {
    /// A plan with `main` and nothing decided yet (zero addresses, empty auxv): what
    /// `prepare` fills in place.
    pub(crate) fn unplanned(abi: Abi, main: Image) -> Self {
        let zero = UserAddr(0);
        let nowhere = AddrRange::new(zero, zero);
        ExecPlan {
            abi,
            main,
            interp: None,
            entry: zero,
            brk: zero,
            mmap: MmapArea { base: zero, free: nowhere, top_down: true },
            stack: StackPlan {
                top: zero,
                extent: nowhere,
                exec: false,
                sp: zero,
                word: 8,
                endian: Endian::Little,
                argc: 0,
                envc: 0,
                empty_argv0: false,
                arg_start: zero,
                env_start: zero,
                execfn: zero,
                top_reserve: 0,
                platform: None,
                base_platform: None,
                random: zero,
                auxv: zero,
            },
            auxv: Auxv::new(),
            registers: EntryRegisters::default(),
            memory: MemoryRequirement::default(),
            reserved: 0,
            arch: I::default(),
            text_scan: None,
        }
    }
}

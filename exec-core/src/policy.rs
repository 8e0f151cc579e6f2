//! `ArchPolicy`: everything an architecture decides, as data and small hooks.

use crate::addr::{MappingFlags, PageSize, Prot, UserAddr};
use crate::auxv::Auxv;
use crate::error::ExecError;
use crate::image::ExecOnRead;
use crate::params::ExecParams;
use crate::profile::Personality;
use elf_stream::{ElfFile, FileHeader, ReadAt};

/// Which file of an exec an item belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The executable named by `execve`.
    Main,
    /// Its program interpreter (dynamic linker).
    Interpreter,
}

impl Role {
    /// "main" or "interpreter".
    pub const fn name(self) -> &'static str {
        match self {
            Role::Main => "main",
            Role::Interpreter => "interpreter",
        }
    }
}

/// The ABI a policy selected for a file: one of every ABI the architecture crates run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Abi {
    /// x86-64 (LP64).
    X86_64,
    /// Little-endian AArch64.
    Aarch64,
    /// Big-endian AArch64.
    Aarch64Be,
    /// RISC-V 64-bit.
    Riscv64,
    /// MIPS o32: 32-bit registers and addresses.
    MipsO32,
    /// MIPS n32: 64-bit registers, 32-bit addresses.
    MipsN32,
    /// MIPS n64.
    MipsN64,
}

impl Abi {
    /// The ABI's name ("x86_64", "aarch64", "mips-o32", ...).
    pub const fn name(self) -> &'static str {
        match self {
            Abi::X86_64 => "x86_64",
            Abi::Aarch64 => "aarch64",
            Abi::Aarch64Be => "aarch64_be",
            Abi::Riscv64 => "riscv64",
            Abi::MipsO32 => "mips-o32",
            Abi::MipsN32 => "mips-n32",
            Abi::MipsN64 => "mips-n64",
        }
    }
}

/// How Linux places a static-pie (ET_DYN without PT_INTERP) whose PT_LOADs ask for more
/// than page alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StaticPieAlign {
    /// Linux before 6.10: page alignment only.
    PageOnlyBefore6_10,
    /// Linux 6.10 and later: the largest power-of-two `p_align` is honoured.
    HonouredSince6_10,
}

/// The user address-space window and the addresses Linux derives from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Lowest mappable address (`mmap_min_addr`).
    pub min_addr: UserAddr,
    /// One past the highest user address (`TASK_SIZE`).
    pub task_size: UserAddr,
    /// Where ET_DYN programs with an interpreter go (`ELF_ET_DYN_BASE`, before alignment).
    pub et_dyn_base: UserAddr,
    /// Top of the initial stack (`STACK_TOP`), page aligned.
    pub stack_top: UserAddr,
    /// Gap kept below the stack's rlimit before the mmap area (`stack_guard_gap`).
    pub stack_guard_gap: u64,
    /// Base of the bottom-up mmap area in the legacy layout (`TASK_UNMAPPED_BASE`).
    pub legacy_mmap_base: UserAddr,
    /// Random bits for the mmap base and the PIE base, in pages (`mmap_rnd_bits`).
    pub mmap_rnd_bits: u32,
    /// Random bits for the stack top, in pages (`STACK_RND_MASK` width).
    pub stack_rnd_bits: u32,
    /// Range of the brk randomisation in bytes (`arch_randomize_brk`).
    pub brk_rnd_range: u64,
    /// Static-pie alignment rule.
    pub static_pie_align: StaticPieAlign,
}

impl Layout {
    /// A layout for an arbitrary window `[min_addr, end)` derived the way Linux derives its
    /// own: ET_DYN base at two thirds of the window, stack at its top, mmap area top-down
    /// below the stack gap, legacy base at one third.
    pub fn for_window(min_addr: UserAddr, end: UserAddr, page: PageSize) -> Layout {
        let end_v = page.down(end.0);
        let third = end_v.checked_div(3).unwrap_or(0);
        Layout {
            min_addr,
            task_size: UserAddr(end_v),
            et_dyn_base: UserAddr(third.saturating_mul(2)),
            stack_top: UserAddr(end_v),
            stack_guard_gap: page.get().saturating_mul(256),
            legacy_mmap_base: UserAddr(page.up(third).unwrap_or(third)),
            mmap_rnd_bits: 0,
            stack_rnd_bits: 0,
            brk_rnd_range: 0,
            static_pie_align: StaticPieAlign::HonouredSince6_10,
        }
    }
}

/// Registers the kernel sets before entering user mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct EntryRegisters {
    /// Program counter.
    pub pc: UserAddr,
    /// Stack pointer (points at argc).
    pub sp: UserAddr,
    /// Architecture registers as (DWARF-free, arch-documented) index/value pairs; unused
    /// slots are `None`. Everything not listed is zero.
    pub regs: [Option<(u8, u64)>; 4],
}

/// The first checks of a policy's [`ArchPolicy::accept`]: the machine and the class (each
/// refusal with the policy's own message), and for a little-endian-only policy the byte
/// order.
#[derive(Clone, Copy, Debug)]
pub struct HeaderCheck {
    /// The `e_machine` accepted ([`ArchCode::WrongMachine`](crate::ArchCode) otherwise,
    /// with the file's machine as the value).
    pub machine: elf_stream::Machine,
    /// The message of a wrong machine.
    pub wrong_machine: &'static str,
    /// The class accepted ([`ArchCode::WrongClass`](crate::ArchCode) otherwise).
    pub class: elf_stream::Class,
    /// The message of a wrong class.
    pub wrong_class: &'static str,
    /// For a policy that runs only little-endian programs, the message of a big-endian one
    /// ([`ArchCode::WrongEndianness`](crate::ArchCode)); `None`: the policy decides.
    pub big_endian: Option<&'static str>,
}

impl HeaderCheck {
    /// Checks `h`.
    pub fn check(&self, h: &FileHeader) -> Result<(), ExecError> {
        use crate::error::{ArchCode, ArchError};
        if h.machine != self.machine {
            return Err(ArchError::reject(
                ArchCode::WrongMachine,
                self.wrong_machine,
                u64::from(h.machine.0),
            ));
        }
        if h.class != self.class {
            // The offending EI_CLASS value.
            let value = match h.class {
                elf_stream::Class::Elf32 => 1,
                elf_stream::Class::Elf64 => 2,
            };
            return Err(ArchError::reject(ArchCode::WrongClass, self.wrong_class, value));
        }
        match self.big_endian {
            // The offending EI_DATA value (ELFDATA2MSB).
            Some(message) if h.endian == elf_stream::Endian::Big => {
                Err(ArchError::reject(ArchCode::WrongEndianness, message, 2))
            }
            _ => Ok(()),
        }
    }
}

/// Everything an architecture decides. Implemented by the `arch-*` crates.
///
/// Methods with defaults encode Linux's generic behaviour; an arch overrides only what
/// it does differently.
pub trait ArchPolicy {
    /// Arch-specific facts gathered while preparing (FPU mode, BTI, errata marks...),
    /// carried in the plan.
    type Info: Copy + Default + core::fmt::Debug;

    /// Short name ("x86_64").
    fn name(&self) -> &'static str;

    /// Checks machine, class, byte order and flags; selects the ABI.
    fn accept(&self, header: &FileHeader) -> Result<Abi, ExecError>;

    /// Page size of the target.
    fn page_size(&self) -> PageSize;

    /// How this arch's Linux reads a file header under the Linux profile: the kernel's
    /// own `struct elfhdr` (class and byte order whatever `e_ident` says; only the magic
    /// and `e_phentsize` are judged). Default: ELF64 little endian (x86_64, arm64).
    fn header_rule(&self) -> elf_stream::HeaderRule {
        elf_stream::HeaderRule::Native {
            class: Some(elf_stream::Class::Elf64),
            endian: Some(elf_stream::Endian::Little),
        }
    }

    /// The personality after `SET_PERSONALITY`: x86_64 and arm64 clear READ_IMPLIES_EXEC
    /// for a 64-bit program (the default); MIPS keeps it.
    fn set_personality(&self, _abi: Abi, personality: Personality) -> Personality {
        personality.without(Personality::READ_IMPLIES_EXEC)
    }

    /// `elf_read_implies_exec`: whether this exec sets READ_IMPLIES_EXEC (MIPS without
    /// RIXI and without PT_GNU_STACK). Default: never (64-bit x86_64 and arm64).
    fn read_implies_exec(&self, _info: &Self::Info) -> ExecOnRead {
        ExecOnRead::Off
    }

    /// The Linux layout for `abi` (window, ET_DYN base, stack top, randomisation widths).
    /// An ABI this policy does not select fails with [`Parameter::ForeignAbi`].
    ///
    /// [`Parameter::ForeignAbi`]: crate::error::Parameter::ForeignAbi
    fn layout(&self, abi: Abi) -> Result<Layout, ExecError>;

    /// Stack pointer alignment at entry (Linux's STACK_ROUND: 16).
    fn stack_align(&self) -> u64 {
        16
    }

    /// The kernel's pointer size: Linux leaves this many zero bytes at the stack top and
    /// counts argument pointers at this size (8 on a 64-bit kernel, even for 32-bit ABIs).
    fn kernel_word(&self) -> u64 {
        8
    }

    /// Whether an unlimited stack rlimit selects the legacy bottom-up mmap layout (the
    /// generic `mmap_is_legacy()`: arm64, MIPS). x86_64 ignores the rlimit and stays
    /// top-down with the gap clamped to 5/6 of the address space.
    fn legacy_layout_on_unlimited_stack(&self) -> bool {
        true
    }

    /// Whether the stack is executable when PT_GNU_STACK is absent.
    fn default_exec_stack(&self, _abi: Abi) -> bool {
        false
    }

    /// `AT_PLATFORM` string (without NUL), if the arch has one.
    fn platform(&self, _abi: Abi) -> Option<&[u8]> {
        None
    }

    /// `AT_BASE_PLATFORM` string (without NUL), if any.
    fn base_platform(&self, _abi: Abi) -> Option<&[u8]> {
        None
    }

    /// Reads arch program headers and properties of one image (`arch_elf_pt_proc`).
    fn inspect<R: ReadAt, const W: usize>(
        &self,
        _file: &ElfFile<R, W>,
        _role: Role,
        _info: &mut Self::Info,
    ) -> Result<(), ExecError> {
        Ok(())
    }

    /// Final arch check once both images are inspected (`arch_check_elf`).
    fn finish(&self, _abi: Abi, _has_interp: bool, _info: &mut Self::Info) -> Result<(), ExecError> {
        Ok(())
    }

    /// Warnings about this exec worth a kernel log line (a MIPS R8000 prefetch hazard...).
    /// `prepare` logs each through [`ExecHost::log`](crate::host::ExecHost::log) after
    /// [`ArchPolicy::finish`], also when `finish` rejected the file.
    fn warnings(&self, _info: &Self::Info, _emit: &mut dyn FnMut(&'static str)) {}

    /// Alignment beyond the page of the file mappings the kernel places itself (the
    /// interpreter, a static-pie): MIPS CPUs whose data cache aliases colour them to
    /// `shm_align_mask + 1`. 0 (the default) adds nothing.
    fn mmap_colour(&self) -> u64 {
        0
    }

    /// Protection and marks of a mapping of `role` (`arch_elf_adjust_prot`: BTI, errata).
    fn adjust_mapping(
        &self,
        prot: Prot,
        _role: Role,
        _has_interp: bool,
        _info: &Self::Info,
    ) -> (Prot, MappingFlags) {
        (prot, MappingFlags::NONE)
    }

    /// The scanner for mappings [`adjust_mapping`](ArchPolicy::adjust_mapping) marks
    /// [`MappingFlags::TEXT_PATCH`]: an eager load runs it over each of their pages and
    /// hands the hits to [`AddressSpace::patch_text`](crate::AddressSpace::patch_text).
    /// `None` (the default) for architectures without text errata.
    fn text_scanner(&self) -> Option<crate::text_patch::TextScanFn> {
        None
    }

    /// Writes the auxiliary vector (without AT_NULL). The default is Linux's order with
    /// [`ArchPolicy::arch_auxv`] first; an OS profile may replace it entirely.
    fn auxv(
        &self,
        ctx: &crate::auxv::AuxvContext<'_>,
        info: &Self::Info,
        out: &mut Auxv,
    ) -> Result<(), ExecError> {
        crate::auxv::linux_auxv(self, ctx, info, out)
    }

    /// Arch entries that lead Linux's auxv (`ARCH_DLINFO`: AT_SYSINFO_EHDR, AT_MINSIGSTKSZ).
    fn arch_auxv(
        &self,
        _ctx: &crate::auxv::AuxvContext<'_>,
        _info: &Self::Info,
        _out: &mut Auxv,
    ) -> Result<(), ExecError> {
        Ok(())
    }

    /// `AT_HWCAP`, `AT_HWCAP2`, `AT_HWCAP3`, `AT_HWCAP4` values the arch reports
    /// (from the caller's CPU description); `None` omits the entry (only HWCAP is always present).
    fn hwcaps(&self) -> [Option<u64>; 4] {
        [Some(0), None, None, None]
    }

    /// Registers at entry: Linux zeroes everything but pc and sp on most arches.
    fn entry_registers(
        &self,
        pc: UserAddr,
        sp: UserAddr,
        _info: &Self::Info,
        _params: &ExecParams<'_>,
    ) -> EntryRegisters {
        EntryRegisters { pc, sp, regs: [None; 4] }
    }

    /// The errno to report for `err` (an OS profile may renumber).
    fn errno(&self, err: &ExecError) -> elf_stream::Errno {
        err.errno()
    }
}

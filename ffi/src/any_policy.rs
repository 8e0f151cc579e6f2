//! `AnyPolicy` as an [`ArchPolicy`] whose facts are [`AnyInfo`]: `prepare` runs once,
//! generically, for every architecture compiled in, and its plan is the type the C plan
//! stores — no per-arch conversion (a whole-plan copy on the stack) afterwards.

use crate::arch::{AnyInfo, AnyPolicy};
use elf_stream::{ElfFile, FileHeader, ReadAt};
use exec_core::auxv::AuxvContext;
use exec_core::{
    Abi, ArchPolicy, Auxv, EntryRegisters, ExecError, ExecParams, Layout, MappingFlags, PageSize, Prot, Role,
    TextScanFn, UserAddr,
};

/// One architecture's facts in and out of [`AnyInfo`].
trait ArchInfo: Copy + Default {
    /// The facts, or the defaults when `any` holds another architecture's (none yet).
    fn from_any(any: &AnyInfo) -> Self;
    /// Wrapped.
    fn into_any(self) -> AnyInfo;
}

macro_rules! arch_info {
    ($($(#[$cfg:meta])* $variant:ident => $info:ty),*) => {$(
        $(#[$cfg])*
        impl ArchInfo for $info {
            fn from_any(any: &AnyInfo) -> Self {
                match any {
                    AnyInfo::$variant(i) => *i,
                    _ => Self::default(),
                }
            }
            fn into_any(self) -> AnyInfo {
                AnyInfo::$variant(self)
            }
        }
    )*};
}

arch_info!(
    #[cfg(feature = "arch-x86_64")]
    X86_64 => arch_x86_64::Info,
    #[cfg(feature = "arch-aarch64")]
    Aarch64 => arch_aarch64::Info,
    #[cfg(feature = "arch-mips")]
    Mips => arch_mips::Info,
    #[cfg(feature = "arch-riscv64")]
    Riscv64 => arch_riscv64::Info
);

/// `$body` with `$p` bound to the inner policy, whatever the architecture.
macro_rules! each {
    ($self:expr, $p:ident => $body:expr) => {
        match $self {
            #[cfg(feature = "arch-x86_64")]
            AnyPolicy::X86_64($p) => $body,
            #[cfg(feature = "arch-aarch64")]
            AnyPolicy::Aarch64($p) => $body,
            #[cfg(feature = "arch-mips")]
            AnyPolicy::Mips($p) => $body,
            #[cfg(feature = "arch-riscv64")]
            AnyPolicy::Riscv64($p) => $body,
        }
    };
}

impl ArchPolicy for AnyPolicy {
    type Info = AnyInfo;

    fn name(&self) -> &'static str {
        each!(self, p => p.name())
    }

    fn accept(&self, header: &FileHeader) -> Result<Abi, ExecError> {
        each!(self, p => p.accept(header))
    }

    fn page_size(&self) -> PageSize {
        each!(self, p => p.page_size())
    }

    fn header_rule(&self) -> elf_stream::HeaderRule {
        each!(self, p => p.header_rule())
    }

    fn set_personality(&self, abi: Abi, personality: exec_core::Personality) -> exec_core::Personality {
        each!(self, p => p.set_personality(abi, personality))
    }

    fn read_implies_exec(&self, info: &AnyInfo) -> exec_core::ExecOnRead {
        each!(self, p => p.read_implies_exec(&ArchInfo::from_any(info)))
    }

    fn layout(&self, abi: Abi) -> Result<Layout, ExecError> {
        each!(self, p => p.layout(abi))
    }

    fn stack_align(&self) -> u64 {
        each!(self, p => p.stack_align())
    }

    fn kernel_word(&self) -> u64 {
        each!(self, p => p.kernel_word())
    }

    fn legacy_layout_on_unlimited_stack(&self) -> bool {
        each!(self, p => p.legacy_layout_on_unlimited_stack())
    }

    fn default_exec_stack(&self, abi: Abi) -> bool {
        each!(self, p => p.default_exec_stack(abi))
    }

    fn platform(&self, abi: Abi) -> Option<&[u8]> {
        each!(self, p => p.platform(abi))
    }

    fn base_platform(&self, abi: Abi) -> Option<&[u8]> {
        each!(self, p => p.base_platform(abi))
    }

    fn inspect<R: ReadAt, const W: usize>(
        &self,
        file: &ElfFile<R, W>,
        role: Role,
        info: &mut AnyInfo,
    ) -> Result<(), ExecError> {
        each!(self, p => {
            let mut inner = ArchInfo::from_any(info);
            let result = p.inspect(file, role, &mut inner);
            *info = inner.into_any();
            result
        })
    }

    fn finish(&self, abi: Abi, has_interp: bool, info: &mut AnyInfo) -> Result<(), ExecError> {
        each!(self, p => {
            let mut inner = ArchInfo::from_any(info);
            let result = p.finish(abi, has_interp, &mut inner);
            *info = inner.into_any();
            result
        })
    }

    fn warnings(&self, info: &AnyInfo, emit: &mut dyn FnMut(&'static str)) {
        each!(self, p => p.warnings(&ArchInfo::from_any(info), emit))
    }

    fn mmap_colour(&self) -> u64 {
        each!(self, p => p.mmap_colour())
    }

    fn adjust_mapping(
        &self,
        prot: Prot,
        role: Role,
        has_interp: bool,
        info: &AnyInfo,
    ) -> (Prot, MappingFlags) {
        each!(self, p => p.adjust_mapping(prot, role, has_interp, &ArchInfo::from_any(info)))
    }

    fn text_scanner(&self) -> Option<TextScanFn> {
        each!(self, p => p.text_scanner())
    }

    fn auxv(&self, ctx: &AuxvContext<'_>, info: &AnyInfo, out: &mut Auxv) -> Result<(), ExecError> {
        each!(self, p => p.auxv(ctx, &ArchInfo::from_any(info), out))
    }

    fn arch_auxv(&self, ctx: &AuxvContext<'_>, info: &AnyInfo, out: &mut Auxv) -> Result<(), ExecError> {
        each!(self, p => p.arch_auxv(ctx, &ArchInfo::from_any(info), out))
    }

    fn hwcaps(&self) -> [Option<u64>; 4] {
        each!(self, p => p.hwcaps())
    }

    fn entry_registers(
        &self,
        pc: UserAddr,
        sp: UserAddr,
        info: &AnyInfo,
        params: &ExecParams<'_>,
    ) -> EntryRegisters {
        each!(self, p => p.entry_registers(pc, sp, &ArchInfo::from_any(info), params))
    }

    fn errno(&self, err: &ExecError) -> elf_stream::Errno {
        each!(self, p => p.errno(err))
    }
}

//! The initial stack: where every string, pointer and auxv entry goes (computed during
//! `prepare`), and the builder that writes it into the new address space.

use crate::addr::{AddrRange, MappingFlags, PageSize, Prot, UserAddr};
use crate::auxv::{AuxType, Auxv};
use crate::error::{ExecError, SpaceOp};
use crate::params::{ExecParams, StackLimit, StringList};
use crate::space::AddressSpace;
use elf_stream::{Class, Endian};

/// Linux's `_STK_LIM`: 8 MiB.
const STK_LIM: u64 = 8 << 20;
/// Linux keeps 128 KiB of stack below the strings (`stack_expand` in `setup_arg_pages`).
const STACK_EXPAND: u64 = 128 << 10;

/// Where the initial stack's parts go, top down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackPlan {
    /// Top of the stack (end of the stack mapping).
    pub top: UserAddr,
    /// The stack mapping Linux creates (`[stack]` at the first instruction).
    pub extent: AddrRange,
    /// Whether the stack is executable (PT_GNU_STACK).
    pub exec: bool,
    /// Stack pointer at entry: the address of argc.
    pub sp: UserAddr,
    /// Pointer size of the new process (4 or 8).
    pub word: u64,
    /// Byte order of the new process.
    pub endian: Endian,
    /// argc as the program sees it (at least 1 since Linux 5.18).
    pub argc: u64,
    /// Number of environment strings.
    pub envc: u64,
    /// argc was 0 and an empty `argv[0]` was supplied (Linux >= 5.18).
    pub empty_argv0: bool,
    /// Address of `argv[0]`'s bytes: the lowest string.
    pub arg_start: UserAddr,
    /// Address of `envp[0]`'s bytes (end of the argument strings).
    pub env_start: UserAddr,
    /// Address of the `AT_EXECFN` string.
    pub execfn: UserAddr,
    /// Bytes left zero at the very top (the kernel's pointer size).
    pub top_reserve: u64,
    /// Address of the platform string.
    pub platform: Option<UserAddr>,
    /// Address of the base platform string.
    pub base_platform: Option<UserAddr>,
    /// Address of the 16 `AT_RANDOM` bytes.
    pub random: UserAddr,
    /// Address of the auxv (right after envp's NULL).
    pub auxv: UserAddr,
}

/// The per-string limit (`MAX_ARG_STRLEN`, 32 pages) including the NUL.
pub fn max_arg_strlen(page: PageSize) -> u64 {
    page.get().saturating_mul(32)
}

/// Linux's limit on argument + environment bytes (`bprm_stack_limits`):
/// `max(min(6 MiB, rlimit / 4), 128 KiB)`.
pub fn argument_limit(limit: StackLimit) -> u64 {
    let quarter = match limit {
        StackLimit::Bytes(b) => b / 4,
        StackLimit::Unlimited => u64::MAX,
    };
    (STK_LIM / 4 * 3).min(quarter).max(32 * 4096)
}

fn strings_size(list: &dyn StringList, first_index: u64, per_string: u64) -> Result<u64, ExecError> {
    let mut total = 0u64;
    for i in 0..list.count() {
        let len = list.get(i).map_or(0, <[u8]>::len) as u64;
        let with_nul = len.saturating_add(1);
        if with_nul > per_string {
            return Err(ExecError::StringTooLong {
                index: first_index.saturating_add(i as u64),
                len: with_nul,
            });
        }
        total = total.saturating_add(with_nul);
    }
    Ok(total)
}

/// The inputs of [`plan_stack`] that come from the policy and the layout.
#[derive(Clone, Copy, Debug)]
pub struct StackInputs<'a> {
    /// Stack top (page aligned).
    pub top: UserAddr,
    /// Page size.
    pub page: PageSize,
    /// ELF class of the program (pointer size).
    pub class: Class,
    /// Byte order.
    pub endian: Endian,
    /// Kernel pointer size: bytes kept zero at the top (`bprm->p = vm_end - sizeof(void *)`).
    pub kernel_word: u64,
    /// Alignment of `p` before the platform strings and of the final sp (16).
    pub align: u64,
    /// Platform string.
    pub platform: Option<&'a [u8]>,
    /// Base platform string.
    pub base_platform: Option<&'a [u8]>,
    /// Executable stack.
    pub exec: bool,
    /// Random offset subtracted before aligning (`arch_align_stack`), 0 without ASLR.
    pub align_jitter: u64,
    /// The stack rlimit the stack mapping is sized by (a secure exec clamps it to 8 MiB;
    /// the argument limit keeps the caller's).
    pub limit: StackLimit,
}

/// Computes the stack layout and checks the argument limits (E2BIG) for `auxv_len`
/// entries (without AT_NULL). Addresses of the strings do not depend on `auxv_len`.
pub fn plan_stack(
    inputs: &StackInputs<'_>,
    params: &ExecParams<'_>,
    auxv_len: usize,
) -> Result<StackPlan, ExecError> {
    let per_string = max_arg_strlen(inputs.page);
    let overflow = ExecError::StackTooLarge { size: u64::MAX };
    let argc_given = params.argv.count() as u64;
    let envc = params.envp.count() as u64;
    let execfn_len = (params.execfn.len() as u64).saturating_add(1);
    if execfn_len > per_string {
        return Err(ExecError::StringTooLong { index: u64::MAX, len: execfn_len });
    }
    let argv_bytes = strings_size(params.argv, 0, per_string)?;
    let envp_bytes = strings_size(params.envp, argc_given, per_string)?;
    // Since 5.18 an empty argv gets an empty argv[0].
    let empty_argv0 =
        argc_given == 0 && params.profile.version().at_least(crate::profile::KernelVersion::V5_18);
    let argc = if empty_argv0 { 1 } else { argc_given };
    // Linux counts pointers at the kernel's word size against the limit, then the strings;
    // the pointers of the argc given to execve (a #! rewrite adds strings, not pointers).
    let limit = argument_limit(params.stack_limit);
    let counted = (params.argv.counted_pointers() as u64).max(1);
    let ptr_size = counted.saturating_add(envc).saturating_mul(inputs.kernel_word);
    let strings = argv_bytes
        .saturating_add(envp_bytes)
        .saturating_add(execfn_len)
        .saturating_add(u64::from(empty_argv0));
    let needed = strings.saturating_add(ptr_size);
    if limit <= ptr_size || needed > limit {
        return Err(ExecError::ArgumentsTooLarge { size: needed, limit });
    }
    let top = inputs.top.0;
    let below = |a: u64, n: u64| a.checked_sub(n).ok_or(overflow);
    let execfn = below(top, inputs.kernel_word.saturating_add(execfn_len))?;
    let env_start = below(execfn, envp_bytes)?;
    let arg_start = below(env_start, argv_bytes.saturating_add(u64::from(empty_argv0)))?;
    let align_down = |a: u64| a & !(inputs.align.max(1).wrapping_sub(1));
    let mut p = align_down(below(arg_start, inputs.align_jitter)?);
    let mut place = |s: Option<&[u8]>| -> Result<Option<UserAddr>, ExecError> {
        match s {
            None => Ok(None),
            Some(s) => {
                p = below(p, (s.len() as u64).saturating_add(1))?;
                Ok(Some(UserAddr(p)))
            }
        }
    };
    let platform = place(inputs.platform)?;
    let base_platform = place(inputs.base_platform)?;
    let random = below(p, 16)?;
    let word = match inputs.class {
        Class::Elf32 => 4u64,
        Class::Elf64 => 8,
    };
    let auxv_words = (auxv_len as u64).saturating_add(1).saturating_mul(2);
    let items = argc.saturating_add(1).saturating_add(envc).saturating_add(1).saturating_add(1);
    let sp = align_down(below(random, auxv_words.saturating_add(items).saturating_mul(word))?);
    let auxv = sp.saturating_add(items.saturating_mul(word));
    // The stack VMA: the string pages plus Linux's 128 KiB, down to sp if lower, at most the rlimit.
    let page = inputs.page;
    let mut start = page.down(arg_start).saturating_sub(STACK_EXPAND).min(page.down(sp));
    if let StackLimit::Bytes(rlim) = inputs.limit {
        let rlim = page.down(rlim);
        if top.saturating_sub(page.down(sp)) > rlim {
            return Err(ExecError::StackTooLarge { size: top.saturating_sub(sp) });
        }
        start = start.max(top.saturating_sub(rlim));
    }
    Ok(StackPlan {
        top: inputs.top,
        extent: AddrRange::new(UserAddr(start), inputs.top),
        exec: inputs.exec,
        sp: UserAddr(sp),
        word,
        endian: inputs.endian,
        argc,
        envc,
        empty_argv0,
        arg_start: UserAddr(arg_start),
        env_start: UserAddr(env_start),
        execfn: UserAddr(execfn),
        top_reserve: inputs.kernel_word,
        platform,
        base_platform,
        random: UserAddr(random),
        auxv: UserAddr(auxv),
    })
}

/// Encodes words in the new process's size and byte order, flushing through `write`.
struct WordWriter<'s, A: ?Sized> {
    space: &'s mut A,
    at: u64,
    buf: [u8; 256],
    len: usize,
    word: u64,
    endian: Endian,
}

impl<A: AddressSpace + ?Sized> WordWriter<'_, A> {
    fn push(&mut self, v: u64) -> Result<(), ExecError> {
        let bytes = match (self.word, self.endian) {
            (4, Endian::Little) => {
                let b = (v as u32).to_le_bytes();
                [b[0], b[1], b[2], b[3], 0, 0, 0, 0]
            }
            (4, Endian::Big) => {
                let b = (v as u32).to_be_bytes();
                [b[0], b[1], b[2], b[3], 0, 0, 0, 0]
            }
            (_, Endian::Little) => v.to_le_bytes(),
            (_, Endian::Big) => v.to_be_bytes(),
        };
        let n = self.word as usize;
        if self.len.saturating_add(n) > self.buf.len() {
            self.flush()?;
        }
        if let (Some(dst), Some(src)) =
            (self.buf.get_mut(self.len..self.len.saturating_add(n)), bytes.get(..n))
        {
            dst.copy_from_slice(src);
        }
        self.len = self.len.saturating_add(n);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ExecError> {
        let data = self.buf.get(..self.len).unwrap_or_default();
        self.space
            .write(UserAddr(self.at), data)
            .map_err(|errno| ExecError::AddressSpace { op: SpaceOp::Write, errno })?;
        self.at = self.at.saturating_add(self.len as u64);
        self.len = 0;
        Ok(())
    }
}

fn write_bytes<A: AddressSpace + ?Sized>(space: &mut A, at: u64, bytes: &[u8]) -> Result<u64, ExecError> {
    space
        .write(UserAddr(at), bytes)
        .map_err(|errno| ExecError::AddressSpace { op: SpaceOp::Write, errno })?;
    Ok(at.saturating_add(bytes.len() as u64))
}

/// Maps the stack and writes it: strings, platform strings, the 16 `random` bytes, then
/// argc, argv, envp and the auxv (with AT_NULL) from `plan.sp` upward. On failure the
/// stack is unmapped again: nothing of it stays in `space`.
pub fn write_stack<A: AddressSpace + ?Sized>(
    plan: &StackPlan,
    params: &ExecParams<'_>,
    platform: (Option<&[u8]>, Option<&[u8]>),
    auxv: &Auxv,
    random: &[u8; 16],
    space: &mut A,
) -> Result<(), ExecError> {
    let prot = if plan.exec {
        Prot::READ.union(Prot::WRITE).union(Prot::EXEC)
    } else {
        Prot::READ.union(Prot::WRITE)
    };
    space
        .map_anonymous(plan.extent, prot, MappingFlags::NONE)
        .map_err(|errno| ExecError::AddressSpace { op: SpaceOp::MapStack, errno })?;
    write_strings(plan, params, platform, random, space)
        .and_then(|()| write_table(plan, params, auxv, space))
        .inspect_err(|_| {
            // Best effort: the original error is what the caller needs.
            let _ = space.unmap(plan.extent);
        })
}

/// [`write_stack`]'s strings once the stack is mapped: argv, envp, AT_EXECFN, the
/// platform strings and the random bytes.
fn write_strings<A: AddressSpace + ?Sized>(
    plan: &StackPlan,
    params: &ExecParams<'_>,
    platform: (Option<&[u8]>, Option<&[u8]>),
    random: &[u8; 16],
    space: &mut A,
) -> Result<(), ExecError> {
    let nul = [0u8];
    // Strings, lowest first: argv, envp, AT_EXECFN.
    let mut at = plan.arg_start.0;
    if plan.empty_argv0 {
        at = write_bytes(space, at, &nul)?;
    }
    for list in [params.argv, params.envp] {
        for i in 0..list.count() {
            at = write_bytes(space, at, list.get(i).unwrap_or_default())?;
            at = write_bytes(space, at, &nul)?;
        }
    }
    at = write_bytes(space, plan.execfn.0, params.execfn)?;
    write_bytes(space, at, &nul)?;
    for (addr, s) in [(plan.platform, platform.0), (plan.base_platform, platform.1)] {
        if let (Some(a), Some(s)) = (addr, s) {
            let end = write_bytes(space, a.0, s)?;
            write_bytes(space, end, &nul)?;
        }
    }
    write_bytes(space, plan.random.0, random)?;
    Ok(())
}

/// [`write_stack`]'s table from `plan.sp` up: argc, argv[], NULL, envp[], NULL, auxv,
/// AT_NULL.
fn write_table<A: AddressSpace + ?Sized>(
    plan: &StackPlan,
    params: &ExecParams<'_>,
    auxv: &Auxv,
    space: &mut A,
) -> Result<(), ExecError> {
    let mut w =
        WordWriter { space, at: plan.sp.0, buf: [0; 256], len: 0, word: plan.word, endian: plan.endian };
    w.push(plan.argc)?;
    let mut s = plan.arg_start.0;
    if plan.empty_argv0 {
        w.push(s)?;
        s = s.saturating_add(1);
    }
    for list in [params.argv, params.envp] {
        for i in 0..list.count() {
            w.push(s)?;
            s = s.saturating_add((list.get(i).map_or(0, <[u8]>::len) as u64).saturating_add(1));
        }
        w.push(0)?;
    }
    for e in auxv.entries() {
        w.push(e.kind.0)?;
        w.push(e.value)?;
    }
    w.push(AuxType::AT_NULL.0)?;
    w.push(0)?;
    w.flush()
}

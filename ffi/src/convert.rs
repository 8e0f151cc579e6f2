//! Conversions between the C types and exec-core's: parameters in, plan facts out, and
//! the decoding of coded C fields (each in one place).

use crate::arch::AnyPolicy;
use crate::fail::Fail;
use crate::plan::StoredPlan;
use crate::ptr;
use crate::strings::CStrings;
use crate::types::*;
use exec_core::{
    Content, Credentials, ExecParams, LoadMode, MappingFlags, MemoryReservation, Prot, Randomize, Role,
    StackLimit, UserAddr, Window,
};

/// The C encoding of a protection and its marks.
pub fn prot_bits(prot: Prot, flags: MappingFlags) -> execcore_prot {
    let mut bits =
        prot.0 & (EXECCORE_PROT_READ | EXECCORE_PROT_WRITE | EXECCORE_PROT_EXEC | EXECCORE_PROT_BTI);
    if flags.contains(MappingFlags::TEXT_PATCH) {
        bits |= EXECCORE_MAP_TEXT_PATCH;
    }
    bits
}

/// The C code of an image.
pub fn image_of(role: Role) -> execcore_image {
    match role {
        Role::Main => EXECCORE_IMAGE_PROGRAM,
        Role::Interpreter => EXECCORE_IMAGE_INTERPRETER,
    }
}

/// Decodes an `EXECCORE_LOAD_*` mode.
pub fn load_mode(mode: execcore_load_mode) -> Result<LoadMode, Fail> {
    match mode {
        EXECCORE_LOAD_EAGER => Ok(LoadMode::Eager),
        EXECCORE_LOAD_MAPPED => Ok(LoadMode::Mapped),
        EXECCORE_LOAD_LAZY => Ok(LoadMode::Lazy),
        _ => Err(Fail::invalid_parameter()),
    }
}

/// Decodes an `EXECCORE_ELFCLASS*`.
pub fn elf_class(class: execcore_elf_class) -> Result<elf_stream::Class, Fail> {
    match class {
        EXECCORE_ELFCLASS32 => Ok(elf_stream::Class::Elf32),
        EXECCORE_ELFCLASS64 => Ok(elf_stream::Class::Elf64),
        _ => Err(Fail::invalid_parameter()),
    }
}

/// The exec-core parameters of a C `execcore_exec_params` (strings read in place).
pub fn params_from_c<'a>(
    p: &'a execcore_exec_params,
    argv: &'a CStrings,
    envp: &'a CStrings,
) -> ExecParams<'a> {
    // SAFETY: the caller guarantees `execfn` is NULL or valid for `execfn_len` bytes.
    let execfn = unsafe { ptr::in_slice(p.execfn, p.execfn_len) }.unwrap_or_default();
    let mut params = ExecParams::new(execfn);
    params.argv = argv;
    params.envp = envp;
    params.stack_limit =
        if p.stack_rlimit == u64::MAX { StackLimit::Unlimited } else { StackLimit::Bytes(p.stack_rlimit) };
    params.randomize = if p.flags & EXECCORE_EXEC_RANDOMIZE != 0 { Randomize::On } else { Randomize::Off };
    params.credentials = Credentials {
        uid: p.uid,
        euid: p.euid,
        gid: p.gid,
        egid: p.egid,
        secure: p.flags & EXECCORE_EXEC_SECURE != 0,
    };
    params.at_flags = p.at_flags;
    if p.clock_ticks != 0 {
        params.clock_ticks = p.clock_ticks;
    }
    params.sysinfo_ehdr = (p.sysinfo_ehdr != 0).then_some(UserAddr(p.sysinfo_ehdr));
    params.rseq = (p.rseq_feature_size != 0).then_some((p.rseq_feature_size, p.rseq_align));
    params.execfd = p.execfd_plus_one.checked_sub(1);
    if p.window_end != 0 {
        params.window = Some(Window { start: UserAddr(p.window_start), end: UserAddr(p.window_end) });
    }
    if p.mmap_min_addr != 0 {
        params.mmap_min_addr = p.mmap_min_addr;
    }
    params.reservation =
        if p.flags & EXECCORE_EXEC_BATCH != 0 { MemoryReservation::Reserve } else { MemoryReservation::None };
    params
}

/// One mapping of a plan, in C.
pub fn mapping(m: &exec_core::Mapping) -> execcore_mapping {
    let (kind, file_offset, file_bytes) = match m.content {
        Content::File { offset, bytes } => (EXECCORE_MAPPING_FILE, offset.0, bytes),
        Content::Zero => (EXECCORE_MAPPING_ZERO, 0, 0),
        Content::Shared { pieces, count } => {
            (EXECCORE_MAPPING_SHARED, 0, pieces.iter().take(usize::from(count)).map(|p| p.len).sum())
        }
    };
    execcore_mapping {
        start: m.range.start.0,
        end: m.range.end.0,
        prot: prot_bits(m.prot, m.flags),
        image: image_of(m.role),
        kind,
        reserved0: 0,
        file_offset,
        file_bytes,
    }
}

/// The layout of a stored plan.
pub fn layout(s: &StoredPlan) -> execcore_layout {
    let p = &s.plan;
    execcore_layout {
        main_bias: p.main.bias,
        interp_bias: p.interp.as_ref().map_or(0, |i| i.bias),
        has_interp: u32::from(p.interp.is_some()),
        exec_stack: u32::from(p.stack.exec),
        entry: p.entry.0,
        sp: p.stack.sp.0,
        brk: p.brk.0,
        stack_start: p.stack.extent.start.0,
        stack_top: p.stack.top.0,
        mmap_base: p.mmap.base.0,
        mmap_start: p.mmap.free.start.0,
        mmap_end: p.mmap.free.end.0,
        mmap_top_down: u32::from(p.mmap.top_down),
        reserved0: 0,
    }
}

/// The memory requirement of a stored plan.
pub fn memory(s: &StoredPlan) -> execcore_memory {
    let m = &s.plan.memory;
    execcore_memory {
        eager_bytes: m.eager_bytes(),
        anonymous_bytes: m.anonymous_bytes(),
        interp_bytes: m.interp.eager,
        reserved_bytes: s.plan.reserved,
        interp_cached: u32::from(m.interp_cached),
        reserved0: 0,
    }
}

/// The entry registers of a stored plan.
pub fn entry_state(s: &StoredPlan) -> execcore_entry_state {
    let r = &s.plan.registers;
    let mut out = execcore_entry_state { pc: r.pc.0, sp: r.sp.0, ..Default::default() };
    let mut n = 0u32;
    for ((index, value), (i, v)) in
        r.regs.iter().flatten().zip(out.reg_index.iter_mut().zip(&mut out.reg_value))
    {
        *i = u32::from(*index);
        *v = *value;
        n = n.saturating_add(1);
    }
    out.nregs = n;
    if let Ok(policy) = AnyPolicy::from_cpu(&s.cpu) {
        policy.entry_arch(&s.plan.arch, &mut out);
    }
    out
}

/// What a page holds, in C.
pub fn page_fill(s: &StoredPlan, f: &exec_core::PageFill) -> execcore_page_fill {
    let mut out = execcore_page_fill {
        page: f.page.0,
        prot: prot_bits(f.prot, f.flags),
        image: image_of(f.role),
        file: if f.role == Role::Interpreter { s.interp_file } else { s.main_file },
        npieces: u32::from(f.count),
        ..Default::default()
    };
    let slots = out.page_offset.iter_mut().zip(out.file_offset.iter_mut().zip(out.len.iter_mut()));
    for (p, (o, (fo, l))) in f.pieces().iter().zip(slots) {
        *o = p.page_offset;
        *fo = p.file_offset.0;
        *l = p.len;
    }
    out
}

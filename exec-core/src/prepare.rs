//! `prepare`: read and validate everything that can fail, decide the layout, size the
//! stack and the memory — without touching any address space.

use crate::addr::{AddrRange, UserAddr};
use crate::auxv::{AuxType, AuxvContext};
use crate::error::{ExecError, Mismatch, Parameter, Placement};
use crate::host::{ExecHost, FileId, LogLevel};
use crate::image::{Image, PhdrCheck};
use crate::layout::{self, LayoutRandom, MmapAllocator};
use crate::memory::{MemoryCache, MemoryRequirement};
use crate::params::{ExecParams, MemoryReservation, Randomize, StackLimit};
use crate::plan::ExecPlan;
use crate::policy::{Abi, ArchPolicy, Layout, Role};
use crate::stack::{plan_stack, StackInputs};
use elf_stream::{ElfFile, ElfType, Limits, ReadAt, PATH_MAX};

/// The result of [`prepare`]: the plan, and the interpreter's source for `load`.
#[derive(Debug)]
pub struct Prepared<I, S> {
    /// The plan.
    pub plan: ExecPlan<I>,
    /// The opened interpreter, if the program has one.
    pub interpreter: Option<S>,
}

/// Plans the exec of `main`: validates the program and its interpreter (opened through
/// `host`), asks `policy` for every arch decision, places the images, sizes the stack
/// and the memory, and reserves memory for batch jobs. Touches no address space.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use exec_core::*;
/// # struct Host;
/// # impl ExecHost for Host {
/// #     type Interp = std::fs::File;
/// #     fn open_interpreter(&mut self, p: &[u8]) -> Result<OpenedFile<std::fs::File>, elf_stream::Errno> {
/// #         let path = std::str::from_utf8(p).map_err(|_| elf_stream::Errno::ENOENT)?;
/// #         Ok(OpenedFile { source: std::fs::File::open(path).map_err(|_| elf_stream::Errno::ENOENT)?, id: None })
/// #     }
/// #     fn random(&mut self, b: &mut [u8]) -> Result<(), elf_stream::Errno> { b.fill(7); Ok(()) }
/// # }
/// # let policy = arch_x86_64::X86_64::default();
/// let file = std::fs::File::open("/bin/ls")?;
/// let argv: [&[u8]; 1] = [b"ls"];
/// let mut params = ExecParams::new(b"/bin/ls");
/// params.argv = &argv;
/// let prepared = prepare(&policy, &file, &mut Host, &params, None)?;
/// assert!(prepared.plan.interp.is_some());
/// # Ok(()) }
/// ```
pub fn prepare<P: ArchPolicy, R: ReadAt + ?Sized, H: ExecHost>(
    policy: &P,
    main: &R,
    host: &mut H,
    params: &ExecParams<'_>,
    cache: Option<&mut MemoryCache>,
) -> Result<Prepared<P::Info, H::Interp>, ExecError> {
    let mut out = None;
    prepare_into(policy, main, host, params, cache, &mut out)?;
    out.ok_or(ExecError::InvalidParameter(Parameter::PlanMissing))
}

/// [`prepare`] into caller-provided storage: the plan (about 3.8 KiB: two images and
/// the auxv) is built where it stays instead of on the stack and then moved, so a kernel
/// short of stack (the C ABI puts it in the caller's `execcore_plan`) pays only the
/// working frames. On success `out` holds the result and the reference points to it; on
/// failure `out` holds a partial plan to be ignored.
pub fn prepare_into<'o, P: ArchPolicy, R: ReadAt + ?Sized, H: ExecHost>(
    policy: &P,
    main: &R,
    host: &mut H,
    params: &ExecParams<'_>,
    cache: Option<&mut MemoryCache>,
    out: &'o mut Option<Prepared<P::Info, H::Interp>>,
) -> Result<&'o mut Prepared<P::Info, H::Interp>, ExecError> {
    let mut main_slot = None;
    let slots = PrepareSlots { main: &mut main_slot, interp: None, path: None };
    prepare_into_in(policy, main, host, params, cache, out, slots)
}

/// Caller storage for what [`prepare_into_in`] would otherwise hold on its stack: the
/// opened program and interpreter (each with its 1 KiB read window) and the buffer
/// PT_INTERP is read into. `interp` and `path` may be `None`: a local instead, on the
/// stack only for the time it is needed.
pub struct PrepareSlots<'s, 'r, R: ?Sized, S> {
    /// Where the program is opened.
    pub main: &'s mut Option<ElfFile<&'r R>>,
    /// Where the interpreter is opened.
    pub interp: Option<&'s mut Option<ElfFile<S>>>,
    /// The PT_INTERP buffer: [`PATH_MAX`] bytes accept what Linux accepts, a shorter one
    /// rejects longer paths with `InterpreterTooLong`.
    pub path: Option<&'s mut [u8]>,
}

/// [`prepare_into`] with the working storage in `slots` (a kernel with a short stack
/// keeps them next to the plan: the C ABI's `execcore_plan`).
pub fn prepare_into_in<'o, 'r, P: ArchPolicy, R: ReadAt + ?Sized, H: ExecHost>(
    policy: &P,
    main: &'r R,
    host: &mut H,
    params: &ExecParams<'_>,
    cache: Option<&mut MemoryCache>,
    out: &'o mut Option<Prepared<P::Info, H::Interp>>,
    slots: PrepareSlots<'_, 'r, R, H::Interp>,
) -> Result<&'o mut Prepared<P::Info, H::Interp>, ExecError> {
    let PrepareSlots { main: main_slot, interp: interp_slot, path } = slots;
    let page = policy.page_size();
    let limits = Limits::for_page_size(page.get() as u32);
    // Opened in place (`open_in`): every move of an opened file is a 1 KiB window copy
    // on the kernel's stack.
    let main_file: &ElfFile<&R> =
        ElfFile::open_in(main_slot, main, limits).map_err(|e| ExecError::elf(Role::Main, e))?;
    let header = *main_file.header();
    if header.elf_type != ElfType::EXEC && header.elf_type != ElfType::DYN {
        return Err(ExecError::NotExecutable(header.elf_type));
    }
    let abi = policy.accept(&header)?;
    let opened = open_interpreter(main_file, host, path)?;
    prepare_opened(policy, main_file, Start { abi, opened, interp_slot }, host, params, cache, out)
}

/// What [`prepare_opened`] starts from: the ABI, the interpreter found and where to open it.
struct Start<'s, S> {
    abi: Abi,
    opened: Option<Opened<S>>,
    /// `None`: opened in a local of [`prepare_opened_local`].
    interp_slot: Option<&'s mut Option<ElfFile<S>>>,
}

/// [`prepare_opened`] with the interpreter opened in a local: out of line, so that the
/// local is not on the stack while the path is read, nor at all when the caller has a slot.
#[inline(never)]
fn prepare_opened_local<'o, P: ArchPolicy, R: ReadAt + ?Sized, H: ExecHost>(
    policy: &P,
    main_file: &ElfFile<&R>,
    start: Start<'_, H::Interp>,
    host: &mut H,
    params: &ExecParams<'_>,
    cache: Option<&mut MemoryCache>,
    out: &'o mut Option<Prepared<P::Info, H::Interp>>,
) -> Result<&'o mut Prepared<P::Info, H::Interp>, ExecError> {
    let mut slot = None;
    prepare_opened(
        policy,
        main_file,
        Start { interp_slot: Some(&mut slot), ..start },
        host,
        params,
        cache,
        out,
    )
}

/// The rest of [`prepare_into`] once the program is open and its interpreter found. Out
/// of line so its frame (the interpreter's file and window, layout and stack planning)
/// is not on the stack while [`open_interpreter`] holds its PATH_MAX buffer: stack use is
/// the larger of the two, not their sum.
#[inline(never)]
fn prepare_opened<'o, P: ArchPolicy, R: ReadAt + ?Sized, H: ExecHost>(
    policy: &P,
    main_file: &ElfFile<&R>,
    start: Start<'_, H::Interp>,
    host: &mut H,
    params: &ExecParams<'_>,
    cache: Option<&mut MemoryCache>,
    out: &'o mut Option<Prepared<P::Info, H::Interp>>,
) -> Result<&'o mut Prepared<P::Info, H::Interp>, ExecError> {
    let Start { abi, opened, interp_slot } = start;
    let Some(interp_slot) = interp_slot else {
        let start = Start { abi, opened, interp_slot: None };
        return prepare_opened_local(policy, main_file, start, host, params, cache, out);
    };
    let page = policy.page_size();
    let limits = Limits::for_page_size(page.get() as u32);
    let header = *main_file.header();
    let interp_file = match opened {
        Some((source, id)) => {
            Some((open_interp_file(policy, &header, abi, source, limits, interp_slot)?, id))
        }
        None => None,
    };
    let has_interp = interp_file.is_some();

    let mut info = P::Info::default();
    policy.inspect(main_file, Role::Main, &mut info)?;
    if let Some((f, _)) = &interp_file {
        policy.inspect(f, Role::Interpreter, &mut info)?;
    }
    let finished = policy.finish(abi, has_interp, &mut info);
    policy.warnings(&info, &mut |message| host.log(LogLevel::Warning, message));
    finished?;

    let adjust = |role| move |prot| policy.adjust_mapping(prot, role, has_interp, &info);
    // The plan is built in `out`, images and auxv where they stay: each moved image would
    // be a 1.2 KiB copy on the kernel's stack.
    let main_empty = Image::empty(Role::Main, header, main_file.phnum(), page);
    let prepared = out.insert(Prepared { plan: ExecPlan::unplanned(abi, main_empty), interpreter: None });
    let plan = &mut prepared.plan;
    plan.main.fill(main_file, adjust(Role::Main))?;
    let main_img = &mut plan.main;
    if main_img.phdr_vaddr.is_none() {
        return Err(ExecError::ProgramHeadersNotLoaded);
    }
    if let PhdrCheck::Disagrees(_) = main_img.phdr_check {
        host.log(
            LogLevel::Info,
            "PT_PHDR disagrees with the PT_LOAD covering e_phoff; using the latter as Linux",
        );
    }
    let mut interp_img = match &interp_file {
        Some((f, id)) => {
            let img = plan.interp.insert(Image::empty(Role::Interpreter, *f.header(), f.phnum(), page));
            img.fill(*f, adjust(Role::Interpreter))?;
            img.id = *id;
            Some(img)
        }
        None => None,
    };

    // Layout.
    let lay = match params.window {
        Some(w) => Layout::for_window(w.start, w.end, page),
        None => policy.layout(abi)?,
    };
    let min_addr = UserAddr(lay.min_addr.0.max(params.mmap_min_addr));
    let rnd = match params.randomize {
        Randomize::Off => LayoutRandom::default(),
        Randomize::On => {
            let mut bytes = [0u8; 40];
            host.random(&mut bytes).map_err(ExecError::Entropy)?;
            LayoutRandom::from_bytes(&bytes, &lay, page)
        }
    };
    let stack_top = layout::stack_top(&lay, page, &rnd);
    let legacy = params.stack_limit == StackLimit::Unlimited && policy.legacy_layout_on_unlimited_stack();
    let mmap_base = layout::mmap_base(&lay, page, params.stack_limit, legacy, params.randomize, &rnd);
    let stack_floor = match params.stack_limit {
        StackLimit::Bytes(r) => UserAddr(stack_top.0.saturating_sub(page.up(r).unwrap_or(r))),
        StackLimit::Unlimited => UserAddr(stack_top.0.saturating_sub(lay.stack_guard_gap)),
    };
    let top_down = !legacy;
    let mut alloc = MmapAllocator::new(mmap_base, min_addr, stack_floor, top_down, page);

    let static_pie = header.elf_type == ElfType::DYN && !has_interp;
    let colour = policy.mmap_colour();
    main_img.bias = match header.elf_type {
        ElfType::DYN if has_interp => layout::pie_bias(&lay, main_img, &rnd),
        ElfType::DYN => layout::mmap_bias_coloured(&mut alloc, &lay, main_img, true, colour, &[])?,
        _ => 0,
    };
    main_img.check_placement(main_img.bias, min_addr, lay.task_size)?;
    let main_span = main_img.span();
    if let Some(img) = interp_img.as_mut() {
        img.bias = match img.header.elf_type {
            ElfType::DYN => layout::mmap_bias_coloured(&mut alloc, &lay, img, false, colour, &[main_span])?,
            _ => 0,
        };
        img.check_placement(img.bias, min_addr, lay.task_size)?;
        if img.span().overlaps(&main_span) {
            return Err(ExecError::NoSpace { what: Placement::InterpreterOverlapsProgram });
        }
    }
    let brk = layout::brk(&lay, main_img, static_pie, params.randomize, &rnd);

    // Stack.
    let exec_stack = main_img.exec_stack.unwrap_or_else(|| policy.default_exec_stack(abi));
    let platform = policy.platform(abi);
    let base_platform = policy.base_platform(abi);
    let inputs = StackInputs {
        top: stack_top,
        page,
        class: header.class,
        endian: header.endian,
        kernel_word: policy.kernel_word(),
        align: policy.stack_align(),
        platform,
        base_platform,
        exec: exec_stack,
        align_jitter: rnd.sp_jitter,
    };
    // String addresses do not depend on the auxv length: plan once to learn them, build
    // the auxv, then plan again with its real length.
    let draft = plan_stack(&inputs, params, 0)?;
    let entry_main = main_img.entry();
    let ctx = AuxvContext {
        abi,
        params,
        page_size: page.get(),
        phdr: main_img.phdr(),
        phent: header.class.program_header_size() as u64,
        phnum: u64::from(main_img.phnum),
        base: interp_img.as_ref().map_or(UserAddr(0), |i| UserAddr(i.bias)),
        has_interp,
        entry: entry_main,
        random: draft.random,
        execfn: draft.execfn,
        platform: draft.platform,
        base_platform: draft.base_platform,
    };
    let auxv = &mut plan.auxv;
    policy.auxv(&ctx, &info, auxv)?;
    let stack = plan_stack(&inputs, params, auxv.len())?;
    auxv.set(AuxType::AT_RANDOM, stack.random.0);
    let stack_range = AddrRange::new(stack.extent.start, stack.top);
    for img in core::iter::once(&main_img).chain(interp_img.as_ref()) {
        if img.span().overlaps(&stack_range) {
            return Err(ExecError::NoSpace { what: Placement::ImageOverlapsStack });
        }
    }

    let entry = interp_img.as_ref().map_or(entry_main, |i| i.entry());
    let registers = policy.entry_registers(entry, stack.sp, &info, params);

    // Memory.
    let main_mem = crate::memory::ImageMemory::of(main_img);
    let (interp_mem, interp_cached) = match (&interp_img, cache) {
        (Some(img), Some(c)) => c.lookup(img),
        (Some(img), None) => (crate::memory::ImageMemory::of(img), false),
        (None, _) => (Default::default(), false),
    };
    let memory = MemoryRequirement {
        main: main_mem,
        interp: interp_mem,
        stack: stack.top.0.saturating_sub(page.down(stack.sp.0)),
        interp_cached,
    };
    let mut reserved = 0;
    if params.reservation == MemoryReservation::Reserve {
        let bytes = memory.eager_bytes();
        host.reserve_memory(bytes).map_err(|_| ExecError::ReservationRefused { bytes })?;
        reserved = bytes;
    }

    let mmap = alloc.area;
    plan.entry = entry;
    plan.brk = brk;
    plan.mmap = mmap;
    plan.stack = stack;
    plan.registers = registers;
    plan.memory = memory;
    plan.reserved = reserved;
    plan.arch = info;
    plan.text_scan = policy.text_scanner();
    prepared.interpreter = interp_slot.take().map(ElfFile::into_source);
    Ok(prepared)
}

/// An opened interpreter source and its identity.
type Opened<S> = (S, Option<FileId>);

/// Reads PT_INTERP and opens the file it names, if the program has one.
fn open_interpreter<R: ReadAt, H: ExecHost, const W: usize>(
    main: &ElfFile<R, W>,
    host: &mut H,
    path: Option<&mut [u8]>,
) -> Result<Option<Opened<H::Interp>>, ExecError> {
    // A static program never has the path buffer on its stack.
    if main.interpreter_header().map_err(|e| ExecError::elf(Role::Main, e))?.is_none() {
        return Ok(None);
    }
    match path {
        Some(path) => open_interpreter_at(main, host, path),
        None => read_and_open_interpreter(main, host),
    }
}

/// [`open_interpreter`]'s reading and opening. Kept out of line so the path buffer
/// (PATH_MAX bytes) lives only during this call.
#[inline(never)]
fn read_and_open_interpreter<R: ReadAt, H: ExecHost, const W: usize>(
    main: &ElfFile<R, W>,
    host: &mut H,
) -> Result<Option<Opened<H::Interp>>, ExecError> {
    open_interpreter_at(main, host, &mut [0u8; PATH_MAX])
}

/// Reads PT_INTERP into `path` and opens the file it names.
fn open_interpreter_at<R: ReadAt, H: ExecHost, const W: usize>(
    main: &ElfFile<R, W>,
    host: &mut H,
    path: &mut [u8],
) -> Result<Option<Opened<H::Interp>>, ExecError> {
    let Some(p) = main.interpreter(path).map_err(|e| ExecError::elf(Role::Main, e))? else {
        return Ok(None);
    };
    let opened = host.open_interpreter(p).map_err(ExecError::InterpreterOpen)?;
    Ok(Some((opened.source, opened.id)))
}

/// Opens the interpreter and checks it matches the program (Linux: ELIBBAD unless the
/// type is wrong, EINVAL).
fn open_interp_file<'s, P: ArchPolicy, S: ReadAt>(
    policy: &P,
    main: &elf_stream::FileHeader,
    abi: Abi,
    source: S,
    limits: Limits,
    slot: &'s mut Option<ElfFile<S>>,
) -> Result<&'s mut ElfFile<S>, ExecError> {
    let file = ElfFile::open_in(slot, source, limits).map_err(|e| match e {
        elf_stream::Error::Read { .. } | elf_stream::Error::Truncated { .. } => {
            ExecError::elf(Role::Interpreter, e)
        }
        e @ (elf_stream::Error::BadMagic
        | elf_stream::Error::BadClass(_)
        | elf_stream::Error::BadEncoding(_)
        | elf_stream::Error::BadIdentVersion(_)
        | elf_stream::Error::BadVersion(_)) => ExecError::InterpreterNotElf(e),
        e => ExecError::elf(Role::Interpreter, e),
    })?;
    let h = file.header();
    if h.elf_type != ElfType::EXEC && h.elf_type != ElfType::DYN {
        return Err(ExecError::InterpreterNotLoadable(h.elf_type));
    }
    let what = if h.machine != main.machine {
        Some(Mismatch::Machine)
    } else if h.class != main.class {
        Some(Mismatch::Class)
    } else if h.endian != main.endian {
        Some(Mismatch::Endianness)
    } else if policy.accept(h).ok() != Some(abi) {
        Some(Mismatch::Abi)
    } else {
        None
    };
    match what {
        Some(what) => Err(ExecError::InterpreterMismatch { what }),
        None => Ok(file),
    }
}

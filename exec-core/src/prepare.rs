//! `prepare`: read and validate everything that can fail, decide the layout, size the
//! stack and the memory — without touching any address space.

use crate::addr::{AddrRange, UserAddr};
use crate::auxv::{AuxType, AuxvContext};
use crate::error::{ExecError, Mismatch, Parameter, Placement};
use crate::host::{ExecHost, FileId, LogLevel};
use crate::image::{ExecOnRead, Image, PhdrCheck, SegmentRules};
use crate::layout::{self, LayoutRandom, MmapAllocator, MmapArea};
use crate::memory::{MemoryCache, MemoryRequirement};
use crate::params::{ExecParams, FilePlacement, MemoryReservation, Randomize, StackLimit};
use crate::plan::ExecPlan;
use crate::policy::{Abi, ArchPolicy, Layout, Role};
use crate::profile::{KernelVersion, Personality, Profile, Strictness};
use crate::stack::{plan_stack, StackInputs};
use elf_stream::{Class, ElfFile, ElfType, FileHeader, Limits, ProgramType, ReadAt, PATH_MAX};

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
///
/// The steps follow `load_elf_binary`'s phases: `check_header` (the first sanity
/// checks and `elf_check_arch`), `read_interpreter` (the PT_INTERP loop and
/// `open_exec`), then, out of line, `check_interpreter`, `inspect_arch`
/// (`arch_elf_pt_proc`, `arch_check_elf`), `scan_images` (the program headers
/// `elf_load` maps), `place_images` (the load bias, `load_elf_interp`, brk),
/// `plan_initial_stack` (`create_elf_tables`) and `size_memory`.
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
    let limits = params.profile.limits(policy.page_size(), policy.header_rule());
    // Opened in place (`open_in`): every move of an opened file is a 1 KiB window copy
    // on the kernel's stack.
    let main_file: &ElfFile<&R> =
        ElfFile::open_in(main_slot, main, limits).map_err(|e| ExecError::elf(Role::Main, e))?;
    let abi = check_header(policy, main_file.header())?;
    let opened = read_interpreter(main_file, params.profile, host, path)?;
    let job = Job { policy, main_file, host, params, cache };
    let start = Start { abi, opened, limits };
    match interp_slot {
        Some(slot) => prepare_opened(job, start, slot, out),
        None => with_local_slot(|slot| prepare_opened(job, start, slot, out)),
    }
}

/// `load_elf_binary`'s first checks: ET_EXEC or ET_DYN, then `elf_check_arch`.
fn check_header<P: ArchPolicy>(policy: &P, header: &FileHeader) -> Result<Abi, ExecError> {
    if header.elf_type != ElfType::EXEC && header.elf_type != ElfType::DYN {
        return Err(ExecError::NotExecutable(header.elf_type));
    }
    policy.accept(header)
}

/// What [`prepare_opened`] works with besides the PT_INTERP loop's results: the caller's
/// inputs, in one place.
struct Job<'j, 'p, P, R: ?Sized, H> {
    policy: &'j P,
    main_file: &'j ElfFile<&'j R>,
    host: &'j mut H,
    params: &'j ExecParams<'p>,
    cache: Option<&'j mut MemoryCache>,
}

/// What [`prepare_opened`] starts from: the ABI, the interpreter found and the open limits.
struct Start<S> {
    abi: Abi,
    opened: Option<Opened<S>>,
    limits: Limits,
}

/// Runs `f` with an empty interpreter slot in a local: out of line, so that the local is
/// not on the stack while the path is read, nor at all when the caller has a slot.
#[inline(never)]
fn with_local_slot<S, T>(f: impl FnOnce(&mut Option<ElfFile<S>>) -> T) -> T {
    let mut slot = None;
    f(&mut slot)
}

/// The process inputs after `begin_new_exec` and `SET_PERSONALITY`: a secure exec's
/// cleared personality and clamped stack limit, ASLR and the mmap layout they select.
#[derive(Clone, Copy, Debug)]
struct ProcessInputs {
    personality: Personality,
    randomize: Randomize,
    stack_limit: StackLimit,
    legacy: bool,
}

impl ProcessInputs {
    fn of<P: ArchPolicy>(policy: &P, abi: Abi, params: &ExecParams<'_>, info: &P::Info) -> ProcessInputs {
        let secure = params.credentials.secure;
        let mut personality = params.personality;
        let mut stack_limit = params.stack_limit;
        if secure {
            // begin_new_exec: PER_CLEAR_ON_SETID, and the stack limit at most _STK_LIM.
            personality = personality.without(Personality::CLEAR_ON_SETID);
            stack_limit = match stack_limit {
                StackLimit::Bytes(b) => StackLimit::Bytes(b.min(STK_LIM)),
                StackLimit::Unlimited => StackLimit::Bytes(STK_LIM),
            };
        }
        let mut personality = policy.set_personality(abi, personality);
        if policy.read_implies_exec(info) == ExecOnRead::On {
            personality = personality.union(Personality::READ_IMPLIES_EXEC);
        }
        let randomize = if personality.contains(Personality::ADDR_NO_RANDOMIZE) {
            Randomize::Off
        } else {
            params.randomize
        };
        let legacy = personality.contains(Personality::ADDR_COMPAT_LAYOUT)
            || (stack_limit == StackLimit::Unlimited && policy.legacy_layout_on_unlimited_stack());
        ProcessInputs { personality, randomize, stack_limit, legacy }
    }

    fn exec_on_read(&self) -> ExecOnRead {
        if self.personality.contains(Personality::READ_IMPLIES_EXEC) {
            ExecOnRead::On
        } else {
            ExecOnRead::Off
        }
    }
}

/// Linux's `_STK_LIM`: 8 MiB.
const STK_LIM: u64 = 8 << 20;

/// The rest of [`prepare_into`] once the program is open and its interpreter found, the
/// interpreter opened in `interp_slot`. Out of line so its frame is not on the stack while
/// `read_interpreter` holds its PATH_MAX buffer; each phase is out of line too, so the
/// stack holds this frame and one phase's at a time, not every phase's locals at once.
#[inline(never)]
fn prepare_opened<'o, P: ArchPolicy, R: ReadAt + ?Sized, H: ExecHost>(
    job: Job<'_, '_, P, R, H>,
    start: Start<H::Interp>,
    interp_slot: &mut Option<ElfFile<H::Interp>>,
    out: &'o mut Option<Prepared<P::Info, H::Interp>>,
) -> Result<&'o mut Prepared<P::Info, H::Interp>, ExecError> {
    let Job { policy, main_file, host, params, cache } = job;
    let Start { abi, opened, limits } = start;
    let page = policy.page_size();
    let header = *main_file.header();
    let interp_file = match opened {
        Some((source, id, placement)) => {
            let f = check_interpreter(policy, &header, abi, params.profile, source, limits, interp_slot)?;
            Some((f, id, placement))
        }
        None => None,
    };
    // The plan is built in `out`, images and auxv where they stay, and each phase writes
    // its part there: each moved image would be a 1.3 KiB copy on the kernel's stack, and
    // results returned by value would each take a slot in this frame.
    let main_empty = Image::empty(Role::Main, header, main_file.phnum(), page);
    let prepared = out.insert(Prepared { plan: ExecPlan::unplanned(abi, main_empty), interpreter: None });
    let plan = &mut prepared.plan;
    let interp_elf = interp_file.as_ref().map(|(f, _, _)| &**f);
    inspect_arch(policy, abi, main_file, interp_elf, host, &mut plan.arch)?;
    let process = ProcessInputs::of(policy, abi, params, &plan.arch);
    let rules = SegmentRules { profile: params.profile, exec_on_read: process.exec_on_read() };
    let interp = interp_file.as_ref().map(|(f, id, _)| (&**f, *id));
    scan_images(policy, plan, main_file, interp, rules, page)?;
    if let PhdrCheck::Disagrees(_) = plan.main.phdr_check {
        host.log(
            LogLevel::Info,
            "PT_PHDR disagrees with the PT_LOAD covering e_phoff; using the latter as Linux",
        );
    }
    let placements = Placements {
        main: params.placement,
        interp: interp_file.as_ref().map_or(FilePlacement::Plain, |(_, _, p)| *p),
    };
    let placed = place_images(policy, abi, plan, params, &process, placements, host)?;
    plan_initial_stack(policy, abi, plan, params, &process, &placed)?;
    size_memory(plan, page, params, cache, host)?;
    plan.entry = placed.entry;
    plan.brk = placed.brk;
    plan.mmap = placed.mmap;
    plan.text_scan = policy.text_scanner();
    prepared.interpreter = interp_slot.take().map(ElfFile::into_source);
    Ok(prepared)
}

/// The PT_GNU_STACK/PT_LOPROC loop of both images (`arch_elf_pt_proc`) and
/// `arch_check_elf`, into `info` (the plan's, still the default); the arch's warnings are
/// logged, also when it refuses.
#[inline(never)]
fn inspect_arch<P: ArchPolicy, R: ReadAt, S: ReadAt, H: ExecHost>(
    policy: &P,
    abi: Abi,
    main: &ElfFile<R>,
    interp: Option<&ElfFile<S>>,
    host: &mut H,
    info: &mut P::Info,
) -> Result<(), ExecError> {
    policy.inspect(main, Role::Main, info)?;
    if let Some(f) = interp {
        policy.inspect(f, Role::Interpreter, info)?;
    }
    let finished = policy.finish(abi, interp.is_some(), info);
    policy.warnings(info, &mut |message| host.log(LogLevel::Warning, message));
    finished
}

/// The program headers of both images, validated and kept in the plan (the PT_LOADs
/// `elf_load` will map, PT_GNU_STACK, the table's address for AT_PHDR).
#[inline(never)]
fn scan_images<P: ArchPolicy, R: ReadAt, S: ReadAt>(
    policy: &P,
    plan: &mut ExecPlan<P::Info>,
    main: &ElfFile<R>,
    interp: Option<(&ElfFile<S>, Option<FileId>)>,
    rules: SegmentRules,
    page: crate::addr::PageSize,
) -> Result<(), ExecError> {
    let has_interp = interp.is_some();
    let ExecPlan { main: main_img, interp: interp_img, arch, .. } = plan;
    let info = &*arch;
    let adjust = |role| move |prot| policy.adjust_mapping(prot, role, has_interp, info);
    main_img.fill(main, rules, adjust(Role::Main))?;
    // Hardened: AT_PHDR must point at the table (Linux passes the bare bias otherwise).
    if rules.profile.is_hardened() && main_img.phdr_vaddr.is_none() {
        return Err(ExecError::ProgramHeadersNotLoaded);
    }
    if let Some((f, id)) = interp {
        let img = interp_img.insert(Image::empty(Role::Interpreter, *f.header(), f.phnum(), page));
        img.fill(f, rules, adjust(Role::Interpreter))?;
        img.id = id;
    }
    Ok(())
}

/// How the kernel places each file's mappings where it picks the address.
#[derive(Clone, Copy, Debug)]
struct Placements {
    main: FilePlacement,
    interp: FilePlacement,
}

/// Where `place_images` put things.
struct Placed {
    entry: UserAddr,
    brk: UserAddr,
    mmap: MmapArea,
    stack_top: UserAddr,
    rnd: LayoutRandom,
}

/// The layout: stack top and mmap base, the program's load bias (ELF_ET_DYN_BASE, or the
/// mmap area for an ET_DYN without interpreter), the interpreter's (`load_elf_interp`),
/// the entry checks (`BAD_ADDR`) and brk.
#[inline(never)]
fn place_images<P: ArchPolicy, I, H: ExecHost>(
    policy: &P,
    abi: Abi,
    plan: &mut ExecPlan<I>,
    params: &ExecParams<'_>,
    process: &ProcessInputs,
    placements: Placements,
    host: &mut H,
) -> Result<Placed, ExecError> {
    let page = policy.page_size();
    let lay = match params.window {
        Some(w) => Layout::for_window(w.start, w.end, page),
        None => policy.layout(abi)?,
    };
    let min_addr = UserAddr(lay.min_addr.0.max(params.mmap_min_addr));
    let rnd = match process.randomize {
        Randomize::Off => LayoutRandom::default(),
        Randomize::On => {
            let mut bytes = [0u8; 40];
            host.random(&mut bytes).map_err(ExecError::Entropy)?;
            LayoutRandom::from_bytes(&bytes, &lay, page)
        }
    };
    let stack_top = layout::stack_top(&lay, page, &rnd);
    let mmap_base =
        layout::mmap_base(&lay, page, process.stack_limit, process.legacy, process.randomize, &rnd);
    let stack_floor = match process.stack_limit {
        StackLimit::Bytes(r) => UserAddr(stack_top.0.saturating_sub(page.up(r).unwrap_or(r))),
        StackLimit::Unlimited => UserAddr(stack_top.0.saturating_sub(lay.stack_guard_gap)),
    };
    let mut alloc = MmapAllocator::new(mmap_base, min_addr, stack_floor, !process.legacy, page);
    let version = params.profile.version();
    let class = plan.main.header.class;
    // thp_get_unmapped_area: 64-bit tasks, since 5.18.
    let huge = |p: FilePlacement| match p {
        FilePlacement::HugeAligned if version.at_least(KernelVersion::V5_18) && class == Class::Elf64 => {
            HUGE_PAGE
        }
        _ => 0,
    };
    let has_interp = plan.interp.is_some();
    let header = plan.main.header;
    let colour = policy.mmap_colour();
    // Linux computes addresses in its unsigned long: 32 bits on a 32-bit kernel.
    let kernel_class = if policy.kernel_word() == 4 { Class::Elf32 } else { Class::Elf64 };
    if let Some(img) = plan.interp.as_mut() {
        img.kernel_class = kernel_class;
    }
    let main_img = &mut plan.main;
    main_img.kernel_class = kernel_class;
    main_img.bias = match header.elf_type {
        ElfType::DYN if has_interp => layout::pie_bias(&lay, main_img, &rnd),
        ElfType::DYN => {
            layout::mmap_bias_placed(&mut alloc, &lay, main_img, true, colour, huge(placements.main), &[])?
        }
        _ => 0,
    };
    // Linux checks the program's entry only when it runs it (no interpreter), after
    // wrapping; the hardened profile always, and refuses an entry that wraps.
    if has_interp && !params.profile.is_hardened() {
        main_img.check_segments_placed(main_img.bias, min_addr, lay.task_size)?;
    } else {
        main_img.check_placement(main_img.bias, min_addr, lay.task_size)?;
    }
    let unwrapped = main_img.header.entry.0.checked_add(main_img.bias);
    if params.profile.is_hardened() && unwrapped.is_none_or(|e| main_img.wrap(e) != e) {
        return Err(ExecError::BadEntry);
    }
    let main_span = main_img.span();
    if let Some(img) = plan.interp.as_mut() {
        img.bias = match img.header.elf_type {
            ElfType::DYN => layout::mmap_bias_placed(
                &mut alloc,
                &lay,
                img,
                false,
                colour,
                huge(placements.interp),
                &[main_span],
            )?,
            _ => 0,
        };
        img.check_placement(img.bias, min_addr, lay.task_size)?;
        if img.span().overlaps(&main_span) {
            return Err(ExecError::NoSpace { what: Placement::InterpreterOverlapsProgram });
        }
    }
    // The accounted mappings (bss, writable file pages) each within what the kernel commits.
    for img in plan.images() {
        img.check_commit(params.overcommit)?;
    }
    let static_pie = header.elf_type == ElfType::DYN && !has_interp;
    let brk = layout::brk(&lay, &plan.main, static_pie, process.randomize, &rnd);
    let entry = plan.interp.as_ref().map_or(plan.main.entry(), |i| i.entry());
    Ok(Placed { entry, brk, mmap: alloc.area, stack_top, rnd })
}

/// Transparent huge page size the placement aligns to (`HPAGE_PMD_SIZE`, 2 MiB).
const HUGE_PAGE: u64 = 2 << 20;

/// The initial stack (`create_elf_tables`): strings, auxv, the entry registers; checks
/// that no image reaches the stack.
#[inline(never)]
fn plan_initial_stack<P: ArchPolicy>(
    policy: &P,
    abi: Abi,
    plan: &mut ExecPlan<P::Info>,
    params: &ExecParams<'_>,
    process: &ProcessInputs,
    placed: &Placed,
) -> Result<(), ExecError> {
    let page = policy.page_size();
    let main_img = &plan.main;
    let header = main_img.header;
    // Without PT_GNU_STACK: the arch's default, executable under READ_IMPLIES_EXEC.
    let exec_stack = main_img
        .exec_stack
        .unwrap_or_else(|| policy.default_exec_stack(abi) || process.exec_on_read() == ExecOnRead::On);
    let platform = policy.platform(abi);
    let base_platform = policy.base_platform(abi);
    let inputs = StackInputs {
        top: placed.stack_top,
        page,
        class: header.class,
        endian: header.endian,
        kernel_word: policy.kernel_word(),
        align: policy.stack_align(),
        platform,
        base_platform,
        exec: exec_stack,
        align_jitter: placed.rnd.sp_jitter,
        limit: process.stack_limit,
    };
    // String addresses do not depend on the auxv length: plan once to learn them, build
    // the auxv, then plan again with its real length.
    let draft = plan_stack(&inputs, params, 0)?;
    let interp_img = plan.interp.as_ref();
    let ctx = AuxvContext {
        abi,
        params,
        page_size: page.get(),
        phdr: main_img.phdr(),
        phent: header.class.program_header_size() as u64,
        phnum: u64::from(main_img.phnum),
        base: interp_img.map_or(UserAddr(0), |i| UserAddr(i.bias)),
        has_interp: interp_img.is_some(),
        entry: main_img.entry(),
        random: draft.random,
        execfn: draft.execfn,
        platform: draft.platform,
        base_platform: draft.base_platform,
    };
    let auxv = &mut plan.auxv;
    policy.auxv(&ctx, &plan.arch, auxv)?;
    plan.stack = plan_stack(&inputs, params, auxv.len())?;
    let stack = &plan.stack;
    auxv.set(AuxType::AT_RANDOM, stack.random.0);
    if header.class == Class::Elf32 {
        // A 32-bit program's auxv holds 32-bit words (elf_addr_t): an entry or AT_PHDR
        // past 4 GiB (a 64-bit kernel does not wrap them) arrives truncated.
        auxv.truncate_to_u32();
    }
    let stack_range = AddrRange::new(stack.extent.start, stack.top);
    for img in plan.images() {
        if img.span().overlaps(&stack_range) {
            return Err(ExecError::NoSpace { what: Placement::ImageOverlapsStack });
        }
    }
    plan.registers = policy.entry_registers(placed.entry, stack.sp, &plan.arch, params);
    Ok(())
}

/// The memory an eager load needs, and the batch job's reservation.
#[inline(never)]
fn size_memory<I, H: ExecHost>(
    plan: &mut ExecPlan<I>,
    page: crate::addr::PageSize,
    params: &ExecParams<'_>,
    cache: Option<&mut MemoryCache>,
    host: &mut H,
) -> Result<(), ExecError> {
    let stack = &plan.stack;
    let main_mem = crate::memory::ImageMemory::of(&plan.main);
    let (interp_mem, interp_cached) = match (&plan.interp, cache) {
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
    plan.memory = memory;
    if params.reservation == MemoryReservation::Reserve {
        let bytes = memory.eager_bytes();
        host.reserve_memory(bytes).map_err(|_| ExecError::ReservationRefused { bytes })?;
        plan.reserved = bytes;
    }
    Ok(())
}

/// An opened interpreter source, its identity and placement.
type Opened<S> = (S, Option<FileId>, FilePlacement);

/// The PT_INTERP loop: reads the path and opens the file it names (`open_exec`), if the
/// program has one.
#[inline(never)]
fn read_interpreter<R: ReadAt, H: ExecHost, const W: usize>(
    main: &ElfFile<R, W>,
    profile: Profile,
    host: &mut H,
    path: Option<&mut [u8]>,
) -> Result<Option<Opened<H::Interp>>, ExecError> {
    // A static program never has the path buffer on its stack.
    if !has_interpreter(main, profile)? {
        return Ok(None);
    }
    match path {
        Some(path) => open_interpreter_at(main, profile, host, path),
        None => read_and_open_interpreter(main, profile, host),
    }
}

/// Whether the program has a PT_INTERP (the hardened profile: exactly one). Out of line:
/// the program header walk's frame is gone before the interpreter is opened.
#[inline(never)]
fn has_interpreter<R: ReadAt, const W: usize>(
    main: &ElfFile<R, W>,
    profile: Profile,
) -> Result<bool, ExecError> {
    match profile.strictness() {
        Strictness::Hardened => {
            Ok(main.interpreter_header().map_err(|e| ExecError::elf(Role::Main, e))?.is_some())
        }
        Strictness::Linux => main
            .program_headers()
            .map(|ph| ph.map_err(|e| ExecError::elf(Role::Main, e)))
            .try_fold(false, |found, ph| ph.map(|ph| found || ph.kind == ProgramType::INTERP)),
    }
}

/// `read_interpreter`'s reading and opening. Kept out of line so the path buffer
/// (PATH_MAX bytes) lives only during this call.
#[inline(never)]
fn read_and_open_interpreter<R: ReadAt, H: ExecHost, const W: usize>(
    main: &ElfFile<R, W>,
    profile: Profile,
    host: &mut H,
) -> Result<Option<Opened<H::Interp>>, ExecError> {
    open_interpreter_at(main, profile, host, &mut [0u8; PATH_MAX])
}

/// Reads PT_INTERP into `path` (the profile's rule: Linux's first PT_INTERP up to its
/// first NUL, or the hardened single NUL-free one) and opens the file it names.
fn open_interpreter_at<R: ReadAt, H: ExecHost, const W: usize>(
    main: &ElfFile<R, W>,
    profile: Profile,
    host: &mut H,
    path: &mut [u8],
) -> Result<Option<Opened<H::Interp>>, ExecError> {
    let read = match profile.strictness() {
        Strictness::Hardened => main.interpreter(path),
        Strictness::Linux => main.first_interpreter(path),
    };
    let Some(p) = read.map_err(|e| ExecError::elf(Role::Main, e))? else {
        return Ok(None);
    };
    // An empty path (a NUL first): open_exec("") resolves to the current directory,
    // which is not a regular file (EACCES, measured on the host kernel).
    if p.is_empty() {
        return Err(ExecError::InterpreterOpen(elf_stream::Errno::EACCES));
    }
    let opened = host.open_interpreter(p).map_err(ExecError::InterpreterOpen)?;
    let placement = host.interpreter_placement();
    Ok(Some((opened.source, opened.id, placement)))
}

/// Opens the interpreter and checks it matches the program: Linux reads its header in
/// the program's format (a file shorter than that: EIO), then ELIBBAD for a bad magic or
/// `elf_check_arch`, EINVAL for a type other than ET_EXEC or ET_DYN.
#[inline(never)]
fn check_interpreter<'s, P: ArchPolicy, S: ReadAt>(
    policy: &P,
    main: &FileHeader,
    abi: Abi,
    profile: Profile,
    source: S,
    limits: Limits,
    slot: &'s mut Option<ElfFile<S>>,
) -> Result<&'s mut ElfFile<S>, ExecError> {
    let linux = profile.strictness() == Strictness::Linux;
    let header_size = main.class.header_size() as u64;
    let short = elf_stream::Error::ShortRead { offset: 0, len: header_size };
    if linux && source.size().is_some_and(|size| size < header_size) {
        return Err(ExecError::elf(Role::Interpreter, short));
    }
    let file = ElfFile::open_in(slot, source, limits).map_err(|e| match e {
        elf_stream::Error::Truncated { offset: 0, .. } if linux => ExecError::elf(Role::Interpreter, short),
        elf_stream::Error::Read { .. } | elf_stream::Error::Truncated { .. } => {
            ExecError::elf(Role::Interpreter, e)
        }
        e @ (elf_stream::Error::BadMagic
        | elf_stream::Error::BadClass(_)
        | elf_stream::Error::BadEncoding(_)
        | elf_stream::Error::BadIdentVersion(_)
        | elf_stream::Error::BadVersion(_)) => ExecError::InterpreterNotElf(e),
        // load_elf_phdrs of the interpreter fails with ELIBBAD.
        e @ (elf_stream::Error::BadProgramHeaderSize { .. }
        | elf_stream::Error::ProgramHeaderTableTooLarge { .. }
        | elf_stream::Error::ProgramHeaderTableOutsideFile { .. })
            if linux =>
        {
            ExecError::InterpreterNotElf(e)
        }
        e => ExecError::elf(Role::Interpreter, e),
    })?;
    let h = file.header();
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
    if let Some(what) = what {
        return Err(ExecError::InterpreterMismatch { what });
    }
    // load_elf_interp's type check comes after elf_check_arch (EINVAL).
    if h.elf_type != ElfType::EXEC && h.elf_type != ElfType::DYN {
        return Err(ExecError::InterpreterNotLoadable(h.elf_type));
    }
    Ok(file)
}

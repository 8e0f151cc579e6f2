//! The prepared plan inside caller-owned `execcore_plan` storage.

use crate::adapters::CFile;
use crate::arch::AnyInfo;
use crate::types::*;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use elf_stream::ElfFile;
use exec_core::{ExecPlan, PrepareSlots, Prepared};
use static_assertions::const_assert;

/// Marks storage that holds a [`StoredPlan`] ("EXECPLAN").
const MAGIC: u64 = 0x4e41_4c50_4345_5845;

/// What the storage holds after `execcore_prepare`; `repr(C)` puts the magic word first.
#[repr(C)]
pub struct StoredPlan {
    magic: u64,
    /// The plan.
    pub plan: ExecPlan<AnyInfo>,
    /// The CPU description it was planned for.
    pub cpu: execcore_cpu,
    /// Handle of the executable.
    pub main_file: u64,
    /// Handle of the interpreter (meaningful when the plan has one).
    pub interp_file: u64,
}

const_assert!(core::mem::size_of::<StoredPlan>() <= EXECCORE_PLAN_SIZE);
// What makes the bitwise copy in `store` sound: everything a plan holds is `Copy`.
static_assertions::assert_impl_all!(exec_core::LoadSegment: Copy);
static_assertions::assert_impl_all!(exec_core::AuxEntry: Copy);
static_assertions::assert_impl_all!(AnyInfo: Copy);
const_assert!(core::mem::align_of::<StoredPlan>() <= core::mem::align_of::<execcore_plan>());

/// Where `exec_core::prepare_into` builds the plan through the C ABI.
pub type Outcome<'a> = Option<Prepared<AnyInfo, CFile<'a>>>;

/// Offset in the storage of the scratch the plan is built in: past the stored plan.
const SCRATCH: usize = {
    let align = core::mem::align_of::<Outcome<'static>>();
    core::mem::size_of::<StoredPlan>().div_ceil(align) * align
};
/// The program, and the opened program and interpreter `prepare` works with.
type Files<'s, 'a> = (CFile<'a>, Option<ElfFile<&'s CFile<'a>>>, Option<ElfFile<CFile<'a>>>);

/// Offset of the opened files: past the scratch.
const FILES: usize = {
    let align = core::mem::align_of::<Files<'static, 'static>>();
    (SCRATCH + core::mem::size_of::<Outcome<'static>>()).div_ceil(align) * align
};
const_assert!(core::mem::align_of::<Files<'static, 'static>>() <= core::mem::align_of::<execcore_plan>());

/// Offset of the buffer PT_INTERP is read into: past the files.
const PATH: usize = FILES + core::mem::size_of::<Files<'static, 'static>>();
const_assert!(PATH + elf_stream::PATH_MAX <= EXECCORE_PLAN_SIZE);
const_assert!(core::mem::align_of::<Outcome<'static>>() <= core::mem::align_of::<execcore_plan>());

/// Where a prepared plan is stored: the head of an `execcore_plan` storage.
pub struct PlanSlot<'s> {
    dst: *mut StoredPlan,
    _storage: PhantomData<&'s mut execcore_plan>,
}

impl PlanSlot<'_> {
    /// Copies `plan` and what it was planned with into the slot, replacing (and dropping
    /// nothing of) what was there. Field by field, in place: a whole `StoredPlan` built
    /// first would be one more plan-sized copy on the stack.
    pub fn store(self, plan: &ExecPlan<AnyInfo>, cpu: execcore_cpu, main_file: u64, interp_file: u64) {
        let dst = self.dst;
        // SAFETY: `dst` is the start of an exclusively borrowed storage, large and aligned
        // enough for a `StoredPlan` (asserted above); `StoredPlan` needs no drop, so
        // overwriting is fine. A plan is plain data (numbers and fixed arrays of `Copy`
        // values, nothing owned; asserted above), so its bitwise copy is an independent,
        // valid plan; it does not overlap the scratch it comes from. The magic word goes
        // last: `load` trusts the rest once it sees it.
        unsafe {
            core::ptr::copy_nonoverlapping(plan, core::ptr::addr_of_mut!((*dst).plan), 1);
            core::ptr::addr_of_mut!((*dst).cpu).write(cpu);
            core::ptr::addr_of_mut!((*dst).main_file).write(main_file);
            core::ptr::addr_of_mut!((*dst).interp_file).write(interp_file);
            core::ptr::addr_of_mut!((*dst).magic).write(MAGIC);
        }
    }
}

impl StoredPlan {
    /// Clears `storage`, runs `prepare` with its output (`exec_core::prepare_into`'s `out`),
    /// the program `main`, the slots its files are opened in and the interpreter path
    /// buffer all in the storage's tail, past where the plan goes, and
    /// returns what it returned with the slot the plan is then stored through. On the
    /// stack of `execcore_prepare` the plan (about 3.8 KiB) and the path (4 KiB) would
    /// cost their size of kernel stack.
    pub fn prepare_in<'s, 'a: 's, E>(
        storage: &'s mut execcore_plan,
        main: CFile<'a>,
        prepare: impl FnOnce(
            &'s mut Outcome<'a>,
            &'s CFile<'a>,
            PrepareSlots<'s, 's, CFile<'a>, CFile<'a>>,
        ) -> Result<&'s mut Prepared<AnyInfo, CFile<'a>>, E>,
    ) -> (PlanSlot<'s>, Result<&'s mut Prepared<AnyInfo, CFile<'a>>, E>) {
        StoredPlan::clear(storage);
        let base = (storage as *mut execcore_plan).cast::<u8>();
        // SAFETY: `[SCRATCH, FILES)` lies inside the storage and is aligned for `Outcome`
        // (asserted above), and does not overlap the plan's bytes `[0, size_of::<StoredPlan>())`
        // that the slot writes, nor the files or the path buffer: the borrows are disjoint.
        let scratch = unsafe { &mut *base.add(SCRATCH).cast::<MaybeUninit<Outcome<'a>>>() };
        // SAFETY: `[FILES, PATH)` lies inside the storage, aligned for `Files` (asserted
        // above), overlapping none of the other borrows.
        let files =
            unsafe { &mut *base.add(FILES).cast::<MaybeUninit<Files<'s, 'a>>>() }.write((main, None, None));
        let (main, main_slot, interp_slot) = (&files.0, &mut files.1, &mut files.2);
        // SAFETY: `[PATH, PATH + PATH_MAX)` lies inside the storage (asserted above), holds
        // initialised bytes (cleared above) and overlaps neither borrow above.
        let path = unsafe { core::slice::from_raw_parts_mut(base.add(PATH), elf_stream::PATH_MAX) };
        let slots = PrepareSlots { main: main_slot, interp: Some(interp_slot), path: Some(path) };
        let result = prepare(scratch.write(None), main, slots);
        (PlanSlot { dst: base.cast(), _storage: PhantomData }, result)
    }

    /// The plan in `storage`, if it holds one.
    pub fn load(storage: &execcore_plan) -> Option<&StoredPlan> {
        if storage.opaque.first() != Some(&MAGIC) {
            return None;
        }
        let src = (storage as *const execcore_plan).cast::<StoredPlan>();
        // SAFETY: the magic word (first field, repr(C)) is only ever written by `store`
        // together with a whole valid `StoredPlan`; `clear` erases it.
        Some(unsafe { &*src })
    }

    /// Marks `storage` as holding no plan.
    pub fn clear(storage: &mut execcore_plan) {
        storage.opaque.fill(0);
    }
}

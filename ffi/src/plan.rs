//! The prepared plan inside caller-owned `execcore_plan` storage.

use crate::arch::AnyInfo;
use crate::types::*;
use exec_core::ExecPlan;
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

impl StoredPlan {
    /// Copies `plan` and what it was planned with into `storage`, replacing (and dropping
    /// nothing of) what was there. Field by field, in place: a whole `StoredPlan` built
    /// first would be one more plan-sized copy on the stack of `execcore_prepare`.
    pub fn store(
        storage: &mut execcore_plan,
        plan: &ExecPlan<AnyInfo>,
        cpu: execcore_cpu,
        main_file: u64,
        interp_file: u64,
    ) {
        let dst = (storage as *mut execcore_plan).cast::<StoredPlan>();
        // SAFETY: the storage is large and aligned enough (asserted above) and exclusively
        // borrowed; `StoredPlan` needs no drop, so overwriting is fine. A plan is plain data
        // (numbers and fixed arrays of `Copy` values, nothing owned; asserted above), so
        // its bitwise copy is an independent, valid plan. The magic word goes last: `load`
        // trusts the rest once it sees it.
        unsafe {
            core::ptr::copy_nonoverlapping(plan, core::ptr::addr_of_mut!((*dst).plan), 1);
            core::ptr::addr_of_mut!((*dst).cpu).write(cpu);
            core::ptr::addr_of_mut!((*dst).main_file).write(main_file);
            core::ptr::addr_of_mut!((*dst).interp_file).write(interp_file);
            core::ptr::addr_of_mut!((*dst).magic).write(MAGIC);
        }
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

//! The exec entry points, in the order a kernel calls them: `execcore_prepare` (before
//! the point of no return, no address space touched), `execcore_load` and
//! `execcore_build_stack` (into a fresh address space, each undoing itself on failure),
//! or `execcore_plan_discard` to abandon a prepared exec.

use crate::adapters::{CFile, CHost, CSpace};
use crate::arch::{AnyInfo, AnyPolicy};
use crate::convert::{entry_state, load_mode, params_from_c};
use crate::fail::{report, Fail};
use crate::plan::StoredPlan;
use crate::ptr::{in_ref, out_mut};
use crate::status::{execcore_status, FfiCode};
use crate::strings::CStrings;
use crate::types::*;
use exec_core::{ArchPolicy, ExecError, ExecHost, ExecPlan, Role};

/// Plans an exec: reads and validates the executable (`params->file`) and its interpreter
/// (opened through `ops->open_interpreter`), places everything, sizes stack and memory,
/// and reserves memory for batch jobs. Touches no address space.
///
/// Needs `ops->read_at`; `open_interpreter` for dynamic programs; `random` with
/// `EXECCORE_EXEC_RANDOMIZE`; `exec_fd` for dynamic R8000 programs needing prefetch
/// patches (its descriptor becomes `AT_PFETCHFD`); `file_size` (optional) to reject
/// truncated files here. On success the plan is in `*plan`; on failure `*plan` holds no
/// plan and `*out_error` (nullable) says why.
///
/// # Safety
/// Every pointer is NULL or valid for the call: `cpu`, `params`, `ops` readable, `plan`
/// and `out_error` writable; the strings in `params` valid and NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn execcore_prepare(
    cpu: *const execcore_cpu,
    params: *const execcore_exec_params,
    ops: *const execcore_ops,
    plan: *mut execcore_plan,
    out_error: *mut execcore_error,
) -> execcore_status {
    // SAFETY: every pointer NULL or valid (this function's contract).
    unsafe {
        report(out_error, || {
            let (cpu, p, ops) = (in_ref(cpu)?, in_ref(params)?, in_ref(ops)?);
            let storage = out_mut(plan)?;
            StoredPlan::clear(storage);
            prepare(cpu, p, ops, storage)
        })
    }
}

/// `execcore_prepare` once its pointers are references.
fn prepare(
    cpu: &execcore_cpu,
    p: &execcore_exec_params,
    ops: &execcore_ops,
    storage: &mut execcore_plan,
) -> Result<(), Fail> {
    if ops.read_at.is_none() {
        return Err(FfiCode::MissingCallback.into());
    }
    let policy = AnyPolicy::from_cpu(cpu)?;
    let argv = CStrings {
        ptr: p.argv,
        count: p.argc,
        counted: usize::try_from(p.argc_counted).unwrap_or(usize::MAX),
    };
    let envp = CStrings { ptr: p.envp, count: p.envc, counted: 0 };
    let params = params_from_c(p, &argv, &envp);
    let main = CFile::new(ops, p.file).map_err(|errno| {
        let error = elf_stream::Error::Read { offset: 0, errno };
        Fail::exec(&ExecError::elf(Role::Main, error), Some(&policy))
    })?;
    let mut host = CHost { ops, interp_placement: crate::convert::interp_placement(p) };
    // Built in the storage's scratch, not on this frame (kernel stack is short).
    let (slot, result) = StoredPlan::prepare_in(storage, main, |out, main, slots| {
        exec_core::prepare_into_in(&policy, main, &mut host, &params, None, out, slots)
    });
    let prepared = result.map_err(|e| Fail::exec(&e, Some(&policy)))?;
    if let Err(fail) = supply_prefetch_fd(&mut prepared.plan, ops) {
        // Transactional: nothing of this exec may outlive the failure.
        if prepared.plan.reserved > 0 {
            host.release_memory(prepared.plan.reserved);
        }
        return Err(fail);
    }
    let interp_file = prepared.interpreter.map_or(0, |f| f.handle);
    slot.store(&prepared.plan, *cpu, p.file, interp_file);
    Ok(())
}

/// Puts the kernel's descriptor (`ops->exec_fd`) into `AT_PFETCHFD` when the MIPS policy
/// asked for one (a dynamic R8000 program needing prefetch patches); otherwise a no-op.
#[cfg(feature = "arch-mips")]
fn supply_prefetch_fd(plan: &mut ExecPlan<AnyInfo>, ops: &execcore_ops) -> Result<(), Fail> {
    // Irrefutable when MIPS is the only architecture compiled in.
    #[allow(irrefutable_let_patterns)]
    let AnyInfo::Mips(info) = plan.arch
    else {
        return Ok(());
    };
    if !info.prefetch_fd {
        return Ok(());
    }
    let f = ops.exec_fd.ok_or(FfiCode::MissingCallback)?;
    let mut fd = 0u64;
    // SAFETY: `fd` is a valid out pointer for the call.
    match unsafe { f(ops.ctx, &mut fd) } {
        0 => {
            plan.auxv.set(exec_core::AuxType::AT_PFETCHFD, fd);
            Ok(())
        }
        e => Err(Fail::with_errno(
            FfiCode::ExecFdFailed,
            if e > 0 { elf_stream::Errno(e) } else { elf_stream::Errno::EIO },
        )),
    }
}

/// Without MIPS no policy asks for a descriptor.
#[cfg(not(feature = "arch-mips"))]
fn supply_prefetch_fd(_: &mut ExecPlan<AnyInfo>, _: &execcore_ops) -> Result<(), Fail> {
    Ok(())
}

/// Releases what a plan holds (its memory reservation) when the exec is abandoned after
/// a successful `execcore_prepare`; the storage then holds no plan.
///
/// # Safety
/// `plan` and `ops` are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_discard(
    plan: *mut execcore_plan,
    ops: *const execcore_ops,
) -> execcore_status {
    crate::fail::status(|| {
        // SAFETY: NULL or valid (this function's contract).
        let (storage, ops) = unsafe { (out_mut(plan)?, in_ref(ops)?) };
        let stored = StoredPlan::load(storage).ok_or(FfiCode::BadPlan)?;
        let reserved = stored.plan.reserved;
        if reserved > 0 {
            CHost::new(ops).release_memory(reserved);
        }
        StoredPlan::clear(storage);
        Ok(())
    })
}

/// The plan in `plan`'s storage.
///
/// # Safety
/// `plan` is NULL or valid for reading during `'a`.
pub(crate) unsafe fn stored<'a>(plan: *const execcore_plan) -> Result<&'a StoredPlan, FfiCode> {
    // SAFETY: NULL or valid (this function's contract).
    let storage = unsafe { in_ref(plan)? };
    StoredPlan::load(storage).ok_or(FfiCode::BadPlan)
}

/// Builds the planned images into the new, empty address space (`mode`:
/// `EXECCORE_LOAD_*`). On failure everything it mapped is unmapped: the address space is
/// empty again and the old process untouched, so the exec can still fail cleanly (the
/// point of no return comes after `execcore_build_stack`); the caller still owns (and
/// should discard) the plan.
///
/// Needs `reserve`, `map_anonymous`, `protect`, `unmap`, and `write` or `read_into`;
/// `map_file` for mapped mode (else copies); `map_lazy` for lazy mode. Without
/// `read_into`, file bytes go through `bounce_buffer` when given.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_load(
    plan: *const execcore_plan,
    ops: *const execcore_ops,
    mode: execcore_load_mode,
    out_report: *mut execcore_load_report,
    out_error: *mut execcore_error,
) -> execcore_status {
    // SAFETY: every pointer NULL or valid (this function's contract).
    unsafe {
        report(out_error, || {
            let (s, ops, out) = (stored(plan)?, in_ref(ops)?, out_mut(out_report)?);
            let mode = load_mode(mode)?;
            let policy = AnyPolicy::from_cpu(&s.cpu).ok();
            let main = CFile::unsized_file(ops, s.main_file);
            let interp = CFile::unsized_file(ops, s.interp_file);
            let mut space = space(ops, s, policy.as_ref());
            let r =
                exec_core::load(&s.plan, &main, s.plan.interp.as_ref().map(|_| &interp), &mut space, mode)
                    .map_err(|e| Fail::exec(&e, policy.as_ref()))?;
            *out = execcore_load_report {
                mappings: r.mappings,
                copy_calls: r.copy_calls,
                bytes_copied: r.bytes_copied,
                patched_pages: r.patched_pages,
                reserved: [0; 4],
            };
            Ok(())
        })
    }
}

/// The address space of a stored plan's exec, over the kernel's callbacks.
pub(crate) fn space<'a>(ops: &'a execcore_ops, s: &StoredPlan, policy: Option<&AnyPolicy>) -> CSpace<'a> {
    let numbering = policy.map_or(elf_stream::Numbering::Generic, AnyPolicy::numbering);
    CSpace { ops, main_file: s.main_file, interp_file: s.interp_file, numbering }
}

/// Builds the initial stack: maps the stack, writes strings, 16 random bytes (from
/// `ops->random`), argv, envp and the auxv; writes the entry state on success. `params`
/// must be the ones given to `execcore_prepare` (the same strings: copies made before
/// the old address space goes). On failure the stack and the images `execcore_load`
/// mapped are unmapped: the new address space is empty again. The point of no return is
/// after this call.
///
/// # Safety
/// Pointers NULL or valid; strings as for `execcore_prepare`.
#[no_mangle]
pub unsafe extern "C" fn execcore_build_stack(
    plan: *const execcore_plan,
    params: *const execcore_exec_params,
    ops: *const execcore_ops,
    out_entry: *mut execcore_entry_state,
    out_error: *mut execcore_error,
) -> execcore_status {
    // SAFETY: every pointer NULL or valid (this function's contract).
    unsafe {
        report(out_error, || {
            let (s, p, ops, out) = (stored(plan)?, in_ref(params)?, in_ref(ops)?, out_mut(out_entry)?);
            let policy = AnyPolicy::from_cpu(&s.cpu)?;
            let mut space = space(ops, s, Some(&policy));
            build_stack(s, p, ops, &policy, &mut space).inspect_err(|_| {
                for img in core::iter::once(&s.plan.main).chain(s.plan.interp.as_ref()) {
                    // Best effort: the original error is what the caller needs.
                    let _ = exec_core::AddressSpace::unmap(&mut space, img.span());
                }
            })?;
            *out = entry_state(s);
            Ok(())
        })
    }
}

/// `execcore_build_stack` once its pointers are references (the stack undoes itself).
fn build_stack(
    s: &StoredPlan,
    p: &execcore_exec_params,
    ops: &execcore_ops,
    policy: &AnyPolicy,
    space: &mut CSpace<'_>,
) -> Result<(), Fail> {
    let argv = CStrings {
        ptr: p.argv,
        count: p.argc,
        counted: usize::try_from(p.argc_counted).unwrap_or(usize::MAX),
    };
    let envp = CStrings { ptr: p.envp, count: p.envc, counted: 0 };
    let params = params_from_c(p, &argv, &envp);
    let mut random = [0u8; 16];
    CHost::new(ops)
        .random(&mut random)
        .map_err(|errno| Fail::exec(&ExecError::Entropy(errno), Some(policy)))?;
    let plats = (policy.platform(s.plan.abi), policy.base_platform(s.plan.abi));
    exec_core::write_stack(&s.plan.stack, &params, plats, &s.plan.auxv, &random, space)
        .map_err(|e| Fail::exec(&e, Some(policy)))
}

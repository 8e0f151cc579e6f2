//! `#!` scripts through the C ABI: `execcore_follow_scripts`, a step before
//! `execcore_prepare` that follows scripts as Linux's `binfmt_script` and writes the
//! rewritten argv into caller storage.

use crate::adapters::{CFile, CHost};
use crate::arch::AnyPolicy;
use crate::fail::{report, Fail};
use crate::ptr::{in_ref, out_mut, out_slice};
use crate::status::{execcore_status, FfiCode};
use crate::strings::CStrings;
use crate::types::*;
use elf_stream::Errno;
use exec_core::script::{follow_scripts, ExecTarget, ScriptChain, MAX_SCRIPT_REWRITES};
use exec_core::{ExecError, ExecHost, LogLevel, OpenedFile, ScriptError, StringList};
use static_assertions::const_assert;

/// Nested `#!` scripts Linux runs; one more fails with ELOOP.
pub const EXECCORE_SCRIPT_MAX_DEPTH: u32 = 5;
const_assert!(EXECCORE_SCRIPT_MAX_DEPTH as usize == MAX_SCRIPT_REWRITES);
/// Interpreter handles one `execcore_follow_scripts` call can open (a sixth script's
/// interpreter is opened before its ELOOP, as in Linux).
pub const EXECCORE_SCRIPT_MAX_OPENED: usize = 6;
/// argv entries scripts add at most: an interpreter and an argument per script, and the
/// script path when argc is 0. `argc + EXECCORE_SCRIPT_EXTRA_ARGS` pointers always suffice.
pub const EXECCORE_SCRIPT_EXTRA_ARGS: usize = 11;
/// 64-bit words of `execcore_script.opaque` (the script lines argv points into).
pub const EXECCORE_SCRIPT_WORDS: usize = 200;
const_assert!(core::mem::size_of::<ScriptChain>() <= EXECCORE_SCRIPT_WORDS * 8);
const_assert!(core::mem::align_of::<ScriptChain>() <= 8);

/// Caller-owned storage for `execcore_follow_scripts` (no heap). Keep it, unmoved, until
/// the stack is built: the rewritten argv points into `opaque`.
#[repr(C)]
pub struct execcore_script {
    /// The handle to plan: `params->file` when it is not a script, else the interpreter
    /// the last script names (set on success).
    pub file: u64,
    /// Scripts followed (0: not a script).
    pub depth: u32,
    /// Number of handles in `opened`.
    pub opened_count: u32,
    /// Every handle `open_interpreter` returned during the call, in order, on success and
    /// on failure. All but `file` were only read: the kernel closes them.
    pub opened: [u64; EXECCORE_SCRIPT_MAX_OPENED],
    /// Opaque: the `#!` lines.
    pub opaque: [u64; EXECCORE_SCRIPT_WORDS],
}

/// `CHost` that records each handle it opens.
struct Recording<'a, 'o> {
    host: CHost<'a>,
    opened: &'o mut [u64; EXECCORE_SCRIPT_MAX_OPENED],
    count: &'o mut u32,
}

impl<'a> ExecHost for Recording<'a, '_> {
    type Interp = CFile<'a>;

    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<CFile<'a>>, Errno> {
        let f = self.host.open_interpreter(path)?;
        if let Some(slot) = self.opened.get_mut(*self.count as usize) {
            *slot = f.source.handle;
            *self.count = self.count.saturating_add(1);
        }
        Ok(f)
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        self.host.random(buf)
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        self.host.log(level, message)
    }
}

/// Follows `#!` scripts from `params->file` as Linux does (`fs/binfmt_script.c`: the
/// first 256 bytes, one optional argument, the truncation rule; five nested scripts, a
/// sixth ELOOP), opening each interpreter through `ops->open_interpreter`.
///
/// On success `script->file` is the handle to plan and `argv[0..*out_argc]` the argument
/// vector to plan and build the stack with: `params->argv` unchanged when the file is no
/// script, else `[interpreter, argument?, ..., script path, argv[1..]]`, the script path
/// being `params->execfn`. Then set `params->file`, `argv`, `argc` from them and call
/// `execcore_prepare` (keep `execfn`: `AT_EXECFN` is the name given to execve).
///
/// Errors: the EXECCORE_ERR_SCRIPT_* statuses with Linux's errno; `EXECCORE_ERR_BUFFER_TOO_SMALL`
/// with `*out_argc` the pointers needed (`argc + EXECCORE_SCRIPT_EXTRA_ARGS` always suffice).
/// Handles opened are in `script->opened` either way.
///
/// # Safety
/// Every pointer is NULL or valid for the call: `cpu`, `params`, `ops` readable;
/// `script`, `out_argc`, `out_error` writable; `argv` writable for `argv_capacity`
/// pointers. `params->execfn` must be a C string (a NUL at `execfn_len`): it becomes an
/// argument. The pointers written stay valid while `script` and `params`' strings do.
#[no_mangle]
pub unsafe extern "C" fn execcore_follow_scripts(
    cpu: *const execcore_cpu,
    params: *const execcore_exec_params,
    ops: *const execcore_ops,
    script: *mut execcore_script,
    argv: *mut *const u8,
    argv_capacity: usize,
    out_argc: *mut usize,
    out_error: *mut execcore_error,
) -> execcore_status {
    // SAFETY: every pointer NULL or valid (this function's contract).
    unsafe {
        report(out_error, || {
            let (cpu, p, ops) = (in_ref(cpu)?, in_ref(params)?, in_ref(ops)?);
            let (script, out_argc) = (out_mut(script)?, out_mut(out_argc)?);
            follow(cpu, p, ops, script, out_argc, argv, argv_capacity)
        })
    }
}

/// `execcore_follow_scripts` once its pointers are references (`argv` still raw: its
/// capacity is known only once the count is).
fn follow(
    cpu: &execcore_cpu,
    p: &execcore_exec_params,
    ops: &execcore_ops,
    script: &mut execcore_script,
    out_argc: &mut usize,
    argv: *mut *const u8,
    argv_capacity: usize,
) -> Result<(), Fail> {
    script.file = p.file;
    script.depth = 0;
    script.opened_count = 0;
    script.opened = [0; EXECCORE_SCRIPT_MAX_OPENED];
    if ops.read_at.is_none() {
        return Err(FfiCode::MissingCallback.into());
    }
    let policy = AnyPolicy::from_cpu(cpu)?;
    let chain_ptr = script.opaque.as_mut_ptr().cast::<ScriptChain>();
    // SAFETY: the storage is large and aligned enough for a `ScriptChain` (asserted
    // above) and exclusively borrowed with `script`; a chain is integers and bytes
    // only, so all-zero bytes are a valid (empty) chain.
    let chain = unsafe {
        core::ptr::write_bytes(chain_ptr, 0, 1);
        &mut *chain_ptr
    };
    let main = CFile::new(ops, p.file)
        .map_err(|e| Fail::exec(&ExecError::Script(ScriptError::Read(e)), Some(&policy)))?;
    let mut host =
        Recording { host: CHost::new(ops), opened: &mut script.opened, count: &mut script.opened_count };
    let target = follow_scripts(chain, &main, &mut host).map_err(|e| Fail::exec(&e, Some(&policy)))?;
    if let ExecTarget::Interpreter(f) = &target {
        script.file = f.source.handle;
    }
    script.depth = chain.depth() as u32;
    let original = CStrings { ptr: p.argv, count: p.argc, counted: 0 };
    if chain.depth() > 0 && (p.execfn.is_null() || p.execfn_len == 0) {
        let e = ExecError::InvalidParameter(exec_core::Parameter::ScriptExecfnMissing);
        return Err(Fail::exec(&e, Some(&policy)));
    }
    let list = chain.argv(&original, &[]);
    let count = list.count();
    *out_argc = count;
    if argv.is_null() || count > argv_capacity {
        return Err(FfiCode::BufferTooSmall.into());
    }
    // SAFETY: `argv` is writable for `argv_capacity` pointers (the caller's contract).
    let out = unsafe { out_slice(argv, argv_capacity) }?;
    let prefix = chain.prefix_len();
    for (i, slot) in out.iter_mut().enumerate().take(count) {
        *slot = if chain.depth() == 0 {
            original_ptr(&original, i)
        } else {
            match i.checked_sub(prefix) {
                None => chain.prefix_with_nul(i).map_or(core::ptr::null(), <[u8]>::as_ptr),
                Some(0) => p.execfn,
                Some(j) => original_ptr(&original, j),
            }
        };
    }
    Ok(())
}

/// The caller's own pointer for `argv[index]`.
fn original_ptr(list: &CStrings, index: usize) -> *const u8 {
    if list.ptr.is_null() || index >= list.count {
        return core::ptr::null();
    }
    // SAFETY: `ptr` holds `count` pointers (caller contract) and `index < count`.
    unsafe { *list.ptr.add(index) }
}

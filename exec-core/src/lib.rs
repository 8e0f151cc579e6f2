//! # exec-core
//!
//! What Linux's `load_elf_binary` and `create_elf_tables` do, as a library that cannot
//! leave a half-built process behind:
//!
//! 1. [`prepare()`] reads and validates the program and its interpreter, asks the
//!    [`ArchPolicy`] every architecture question, places the images, sizes the initial
//!    stack and the memory requirement — touching no address space. [`prepare_into`]
//!    does the same with the plan built in the caller's storage, for stacks too short to
//!    hold the plan too.
//! 2. [`load()`] builds the images into a fresh [`AddressSpace`] (eager copy,
//!    file mappings, or lazy with [`resolve_fault()`]), undoing
//!    everything on failure.
//! 3. [`write_stack`] writes argv, envp and the auxv; the plan holds the entry registers.
//!
//! Before step 1, [`follow_scripts`] runs `#!` scripts as Linux's `binfmt_script` does
//! (the interpreter becomes the program, the argument vector is rewritten in the
//! caller's [`ScriptChain`]); see [`script`].
//!
//! `#![no_std]`, no `alloc`: every table has a fixed capacity with a clear error.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(any(feature = "std", test))]
extern crate std;

pub mod addr;
pub mod auxv;
pub mod counting;
pub mod elfmap;
pub mod error;
pub mod fault;
#[cfg(feature = "std")]
pub mod fs_host;
pub mod host;
pub mod image;
pub mod layout;
pub mod load;
pub mod memory;
pub mod params;
pub mod plan;
pub mod policy;
pub mod prepare;
pub mod profile;
pub mod script;
pub mod space;
pub mod stack;
pub mod text_patch;

pub use addr::{AddrRange, MappingFlags, PageSize, Prot, UserAddr};
pub use auxv::{AuxEntry, AuxType, Auxv, AuxvContext};
pub use elfmap::{elfmap, ElfMapped, ElfmapTarget, MAX_ELFMAP_PHDRS};
pub use error::{
    ArchCode, ArchError, ErrorCode, ExecCode, ExecError, Mismatch, Parameter, Placement, SpaceOp, Table,
};
pub use fault::{resolve_fault, PageFill};
pub use host::{ExecHost, FileId, LogLevel, OpenedFile};
pub use image::{Content, ExecOnRead, Image, LoadSegment, Mapping, PhdrCheck, Piece, SegmentRules};
pub use layout::MmapArea;
pub use load::{load, LoadMode, LoadReport};
pub use memory::{ImageMemory, MemoryCache, MemoryRequirement};
pub use params::{
    Credentials, ExecParams, FilePlacement, MemoryReservation, Overcommit, Randomize, StackLimit, StringList,
    Window,
};
pub use plan::ExecPlan;
pub use policy::{Abi, ArchPolicy, EntryRegisters, HeaderCheck, Layout, Role, StaticPieAlign};
pub use prepare::{prepare, prepare_into, prepare_into_in, PrepareSlots, Prepared};
pub use profile::{KernelVersion, Personality, Profile, SegmentLoader, Strictness};
pub use script::{follow_scripts, ExecTarget, ScriptArgv, ScriptChain, ScriptError, ScriptHead, Shebang};
pub use space::{AddressSpace, Chunk, Chunks, FileCopy};
pub use stack::{write_stack, StackPlan};
pub use text_patch::TextScanFn;

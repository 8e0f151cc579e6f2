/* The C side of the ABI layout pins: every struct of execcore.h has the size the Rust
 * side asserts (ffi/src/types.rs). Compiled into the harness; a mismatch fails the build. */
#include <stddef.h>
#include "execcore.h"

#define PIN(type, size) _Static_assert(sizeof(type) == (size), #type " size differs from the Rust side")

PIN(execcore_cpu, 128);
PIN(execcore_file_id, 24);
PIN(execcore_ops, 22 * sizeof(void *));
PIN(execcore_exec_params, sizeof(void *) == 8 ? 208 : 184);
PIN(execcore_mapping, 48);
PIN(execcore_auxv_entry, 16);
PIN(execcore_layout, 96);
PIN(execcore_entry_state, 112);
PIN(execcore_memory, 40);
PIN(execcore_page_fill, 128);
PIN(execcore_error, 16);
PIN(execcore_load_report, 64);
PIN(execcore_plan, EXECCORE_PLAN_SIZE);
_Static_assert(sizeof(execcore_status) == 4, "execcore_status is a 32-bit integer");

/* The generated blob as initialised, writable data (a PT_LOAD with a huge p_filesz). */
    .data
    .balign 16
    .globl big_blob
big_blob:
    .incbin "blob.bin"

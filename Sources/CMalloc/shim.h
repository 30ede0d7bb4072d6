#ifndef PINADS_CMALLOC_SHIM_H
#define PINADS_CMALLOC_SHIM_H
// glibc's allocator controls (malloc_trim, mallopt), which Swift's Glibc module leaves out.
#include <malloc.h>

// Allocations of `bytes` or more get pages of their own (mmap), given back when freed. Fixing
// the threshold also stops glibc from raising it after each large free, which would put the
// next large buffers on the heap, where freeing them gives nothing back.
static inline int pinads_malloc_large_allocations_own_pages(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

// Gives free heap pages of every arena back to the system.
static inline int pinads_malloc_trim(void) { return malloc_trim(0); }
#endif

// What an idle server gives back to the kernel (glibc malloc). A busy server keeps freed heap
// memory for its next requests (a high trim threshold: giving pages back and faulting them in
// again on every request cost ~10% of a page's CPU); once idle, it returns what it freed.
#pragma once

#include <cstddef>

namespace almanac {

// Keeps up to `bytes` of free memory at the top of each malloc heap while busy.
void SetBusyTrimThreshold(size_t bytes);

// Returns free heap memory to the kernel: the free chunks of every thread's heap and the main
// heap's top (malloc_trim), and the free top of the calling thread's own heap, which
// malloc_trim leaves alone for heaps other than the main one. Call it on each thread that
// goes idle after serving.
void GiveBackFreeMemory();

}  // namespace almanac

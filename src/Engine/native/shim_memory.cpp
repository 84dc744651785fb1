// Tensor memory reuse: glibc told to keep freed memory in the process for the next allocation.
//
// Why: libtorch takes tensor memory from malloc, and glibc serves large blocks (from 128 KiB, adaptively up to
// 32 MiB, and always above) with a fresh mmap and unmaps them on free. Every forward pass then page-faults its
// activations in again: MobileNet V2 at batch 8 took ~90,000 minor faults a pass, most of its time once its
// convolutions ran on oneDNN. With no mmap for large blocks and no trimming, freed blocks stay in malloc's heap,
// where they coalesce and serve the next requests of any size.
//
// An exact-size cache of freed blocks in front of libtorch's allocator was tried first and dropped: a DenseNet
// asks for a new, larger concatenation at every layer, so such a cache kept every size of a pass and doubled the
// resident memory of DenseNet-121 (1,246 MiB against 559 with this).
//
// Where it works: the main heap (the process's main thread, and every thread of a process started with
// MALLOC_ARENA_MAX=1, which glibc reads only at start-up). A thread with an arena of its own keeps its heaps of
// at most 64 MiB, and a heap that becomes entirely free is unmapped whatever the settings.
#include "shim.h"

#include <malloc.h>

#include <atomic>
#include <climits>

namespace {
std::atomic<bool> tensor_memory_retained{false};
}

ADT_API int adt_retain_tensor_memory() {
  if (mallopt(M_MMAP_MAX, 0) != 1 || mallopt(M_TRIM_THRESHOLD, INT_MAX) != 1) {
    adt::set_error("the C library refused the allocator settings (mallopt)");
    return -1;
  }
  tensor_memory_retained.store(true);
  return 0;
}

ADT_API int adt_tensor_memory_retained() { return tensor_memory_retained.load() ? 1 : 0; }

// Chunks malloc currently serves by mmap (mallinfo2().hblks): what retaining stops for new large blocks.
ADT_API int64_t adt_mmapped_blocks() { return static_cast<int64_t>(mallinfo2().hblks); }

// Returns free memory at the top of the main heap to the system (malloc_trim); 1 if any was released.
ADT_API int adt_release_retained_tensor_memory() { return malloc_trim(0); }

// ARCHDSL_TENSOR_MEMORY=retain sets it when the library loads.
__attribute__((constructor)) static void retain_tensor_memory_from_environment() {
  if (adt::environment_says("ARCHDSL_TENSOR_MEMORY", "retain")) adt_retain_tensor_memory();
}

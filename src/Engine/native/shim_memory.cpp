// Tensor memory reuse: a CPU allocator for libtorch that keeps freed large blocks for the next request of the
// same size instead of handing them back to the C library.
//
// Why: libtorch takes tensor memory from malloc, and glibc serves large blocks (from 128 KiB, adaptively up to
// 32 MiB, and always above) with a fresh mmap and unmaps them on free. Every forward pass then page-faults its
// activations in again: MobileNet V2 at batch 8 took ~90,000 minor faults a pass, most of its time. A forward
// pass at a fixed input size asks for the same sizes every time, so exact-size reuse removes the faults. Tuning
// glibc instead (mallopt) does not reach blocks freed on threads with their own malloc arena.
#include "shim.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

// Smaller blocks come from malloc's own free lists without faults; only large ones are kept.
constexpr size_t kSmallestRetained = 128 * 1024;
// Beyond this many kept bytes a freed block goes back to the C library: a process that runs many input sizes would
// otherwise keep blocks of sizes it never asks for again.
constexpr size_t kMostRetained = size_t{2} << 30;

// Context and data pointer are the same (libtorch's raw_allocate / raw_deallocate, which oneDNN uses for its
// buffers, require it), so the block sizes live in a map beside the free lists.
class RetainingAllocator final : public at::Allocator {
 public:
  at::DataPtr allocate(size_t nbytes) const override {
    void* data = nbytes >= kSmallestRetained ? take(nbytes) : nullptr;
    if (data == nullptr) data = c10::alloc_cpu(nbytes);
    if (data != nullptr) {
      std::lock_guard<std::mutex> lock(mutex_);
      sizes_[data] = nbytes;
    }
    return {data, data, &release, at::Device(at::DeviceType::CPU)};
  }

  at::DeleterFnPtr raw_deleter() const override { return &release; }

  // Never destroyed: tensors freed during static destruction at exit still find it.
  static RetainingAllocator& instance() {
    static auto* allocator = new RetainingAllocator();
    return *allocator;
  }

  // Hands every kept block back to the C library; returns the bytes released.
  int64_t release_all() {
    std::unordered_map<size_t, std::vector<void*>> kept;
    size_t bytes;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      kept.swap(free_);
      bytes = cached_bytes_;
      cached_bytes_ = 0;
    }
    for (auto& [size, blocks] : kept)
      for (void* p : blocks) c10::free_cpu(p);
    return static_cast<int64_t>(bytes);
  }

  int64_t cached_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int64_t>(cached_bytes_);
  }

 private:
  void* take(size_t nbytes) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(nbytes);
    if (it == free_.end() || it->second.empty()) return nullptr;
    void* p = it->second.back();
    it->second.pop_back();
    cached_bytes_ -= nbytes;
    return p;
  }

  static void release(void* data) {
    if (data != nullptr && !instance().keep(data)) c10::free_cpu(data);
  }

  // Files a freed block for reuse; false when it should go back to the C library.
  bool keep(void* data) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sizes_.find(data);
    if (it == sizes_.end()) return false;
    size_t size = it->second;
    sizes_.erase(it);
    if (size < kSmallestRetained || cached_bytes_ + size > kMostRetained) return false;
    free_[size].push_back(data);
    cached_bytes_ += size;
    return true;
  }

  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, size_t> sizes_;                   // live blocks
  mutable std::unordered_map<size_t, std::vector<void*>> free_;       // kept blocks by byte size
  mutable size_t cached_bytes_ = 0;
};

std::mutex install_mutex;
bool installed = false;

int install() {
  std::lock_guard<std::mutex> lock(install_mutex);
  if (installed) return 0;
  // Priority above the default registration, so libtorch's own later registrations do not replace it.
  c10::SetCPUAllocator(&RetainingAllocator::instance(), /*priority=*/1);
  installed = true;
  return 0;
}

}  // namespace

ADT_API int adt_retain_tensor_memory() { ADT_GUARD(-1, { return install(); }) }

ADT_API int adt_tensor_memory_retained() {
  std::lock_guard<std::mutex> lock(install_mutex);
  return installed ? 1 : 0;
}

// Bytes of freed tensor memory kept for reuse.
ADT_API int64_t adt_retained_tensor_bytes() { return RetainingAllocator::instance().cached_bytes(); }

// Returns the kept blocks to the C library (as torch.cuda.empty_cache does for GPU memory).
ADT_API int64_t adt_release_retained_tensor_memory() {
  ADT_GUARD(-1, { return RetainingAllocator::instance().release_all(); })
}

// ARCHDSL_TENSOR_MEMORY=retain installs it when the library loads, before this process makes a tensor through it.
__attribute__((constructor)) static void retain_tensor_memory_from_environment() {
  const char* v = std::getenv("ARCHDSL_TENSOR_MEMORY");
  if (v != nullptr && std::strcmp(v, "retain") == 0) adt_retain_tensor_memory();
}

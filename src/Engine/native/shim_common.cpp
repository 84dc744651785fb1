// Process-wide services: error reporting, handle lifetime, grad/inference modes, seeding, threads.
#include "shim.h"

#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>

namespace adt {

std::atomic<int64_t> live_handles{0};

// One message per thread: the managed side reads it right after the failing call returns.
static thread_local std::string last_error;
static thread_local bool has_error = false;

void set_error(const char* message) {
  last_error = message == nullptr ? "unknown native error" : message;
  has_error = true;
}

}  // namespace adt

// Returns the pending error message of this thread (or null) and clears it. The pointer stays
// valid until the next failing call on the same thread.
ADT_API const char* adt_take_error() {
  if (!adt::has_error) return nullptr;
  adt::has_error = false;
  return adt::last_error.c_str();
}

ADT_API int64_t adt_live_handles() { return adt::live_handles.load(); }

ADT_API void adt_free(TensorHandle h) {
  if (h == nullptr) return;
  try {
    delete h;
  } catch (...) {
    // A destructor that throws would terminate; swallow rather than abort.
  }
  adt::live_handles.fetch_sub(1, std::memory_order_relaxed);
}

// Returns the previous state so the managed guard can restore it.
ADT_API int adt_set_grad_enabled(int enabled) {
  bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return previous ? 1 : 0;
}

ADT_API int adt_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

// Inference mode is an RAII guard in libtorch; the managed IDisposable owns the heap copy.
ADT_API void* adt_inference_mode_enter(int enabled) {
  ADT_GUARD(nullptr, { return new c10::InferenceMode(enabled != 0); })
}

ADT_API void adt_inference_mode_exit(void* guard) {
  try {
    delete static_cast<c10::InferenceMode*>(guard);
  } catch (...) {
  }
}

ADT_API int adt_manual_seed(int64_t seed) {
  ADT_GUARD(-1, {
    at::manual_seed(static_cast<uint64_t>(seed));
    return 0;
  })
}

ADT_API int adt_set_num_threads(int n) {
  ADT_GUARD(-1, {
    at::set_num_threads(n);
    return 0;
  })
}

ADT_API int adt_get_num_threads() {
  ADT_GUARD(-1, { return at::get_num_threads(); })
}

ADT_API int adt_set_num_interop_threads(int n) {
  ADT_GUARD(-1, {
    at::set_num_interop_threads(n);
    return 0;
  })
}

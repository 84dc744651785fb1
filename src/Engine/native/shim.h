// Shared plumbing for the C ABI: tensor handles, the thread-local last error and the guard
// every entry point runs its body in, so a libtorch exception never crosses into .NET.
#pragma once

#include <ATen/ATen.h>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#define ADT_API extern "C" __attribute__((visibility("default")))

// A handle is a heap-allocated at::Tensor (one reference on the storage); freeing it drops
// that reference. Zero is never a valid handle, so it signals failure on return.
typedef at::Tensor* TensorHandle;

namespace adt {

extern std::atomic<int64_t> live_handles;

void set_error(const char* message);

// Whether the environment variable `name` is set to exactly `value` (the engine's process-wide ARCHDSL_* switches).
inline bool environment_says(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v != nullptr && std::strcmp(v, value) == 0;
}

inline TensorHandle wrap(at::Tensor&& t) {
  live_handles.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

inline TensorHandle wrap(const at::Tensor& t) {
  live_handles.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(t);
}

// An optional tensor argument: zero means "none".
inline c10::optional<at::Tensor> opt(TensorHandle h) {
  if (h == nullptr) return c10::nullopt;
  return *h;
}

inline at::Tensor undefined_if_null(TensorHandle h) {
  return h == nullptr ? at::Tensor() : *h;
}

inline at::ScalarType dtype(int code) { return static_cast<at::ScalarType>(code); }

inline at::Scalar scalar(double value, int is_integral) {
  if (is_integral) return at::Scalar(static_cast<int64_t>(value));
  return at::Scalar(value);
}

}  // namespace adt

// Runs the body (variadic so braced lists with commas pass through); on any exception records the message and returns FAIL.
#define ADT_GUARD(FAIL, ...)                                               \
  try {                                                                    \
    __VA_ARGS__                                                            \
  } catch (const c10::Error& e) {                                          \
    adt::set_error(e.what_without_backtrace());                            \
    return FAIL;                                                           \
  } catch (const std::exception& e) {                                      \
    adt::set_error(e.what());                                              \
    return FAIL;                                                           \
  } catch (...) {                                                          \
    adt::set_error("unknown native error");                                \
    return FAIL;                                                           \
  }

// Tensor creation, metadata, raw data access and autograd state.
#include "shim.h"

#include <cstring>

using adt::wrap;

namespace {

at::TensorOptions options(int dtype) {
  return at::TensorOptions().dtype(adt::dtype(dtype)).device(at::kCPU);
}

at::Tensor finish(at::Tensor t, int requires_grad) {
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

}  // namespace

// Factory kinds: 0 empty, 1 zeros, 2 ones, 3 full(value), 4 randn, 5 rand.
ADT_API TensorHandle adt_factory(int kind, const int64_t* shape, int ndim, int dtype, double value,
                                 int value_is_integral, int requires_grad) {
  ADT_GUARD(nullptr, {
    at::IntArrayRef size(shape, static_cast<size_t>(ndim));
    auto opts = options(dtype);
    at::Tensor t;
    switch (kind) {
      case 0: t = at::empty(size, opts); break;
      case 1: t = at::zeros(size, opts); break;
      case 2: t = at::ones(size, opts); break;
      case 3: t = at::full(size, adt::scalar(value, value_is_integral), opts); break;
      case 4: t = at::randn(size, opts); break;
      case 5: t = at::rand(size, opts); break;
      default: throw std::invalid_argument("unknown factory kind");
    }
    return wrap(finish(std::move(t), requires_grad));
  })
}

ADT_API TensorHandle adt_arange(double start, double end, double step, int dtype, int requires_grad) {
  ADT_GUARD(nullptr, {
    return wrap(finish(at::arange(at::Scalar(start), at::Scalar(end), at::Scalar(step), options(dtype)),
                       requires_grad));
  })
}

ADT_API TensorHandle adt_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype) {
  ADT_GUARD(nullptr, {
    return wrap(at::randint(low, high, at::IntArrayRef(shape, static_cast<size_t>(ndim)), options(dtype)));
  })
}

ADT_API TensorHandle adt_randperm(int64_t n, int dtype) {
  ADT_GUARD(nullptr, { return wrap(at::randperm(n, options(dtype))); })
}

// Copies `nbytes` from `data` into a new tensor of the given shape and type.
ADT_API TensorHandle adt_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim,
                                   int dtype, int requires_grad) {
  ADT_GUARD(nullptr, {
    at::Tensor t = at::empty(at::IntArrayRef(shape, static_cast<size_t>(ndim)), options(dtype));
    int64_t expected = t.numel() * static_cast<int64_t>(t.element_size());
    if (expected != nbytes)
      throw std::invalid_argument("data length " + std::to_string(nbytes) + " bytes does not match shape (" +
                                  std::to_string(expected) + " bytes expected)");
    if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
    return wrap(finish(std::move(t), requires_grad));
  })
}

ADT_API TensorHandle adt_scalar_tensor(double value, int value_is_integral, int dtype, int requires_grad) {
  ADT_GUARD(nullptr, {
    return wrap(finish(at::scalar_tensor(adt::scalar(value, value_is_integral), options(dtype)), requires_grad));
  })
}

// ---- metadata -------------------------------------------------------------------------------

ADT_API int adt_dim(TensorHandle t) {
  ADT_GUARD(-1, { return static_cast<int>(t->dim()); })
}

// Writes up to `capacity` sizes; returns the rank.
ADT_API int adt_shape(TensorHandle t, int64_t* out, int capacity) {
  ADT_GUARD(-1, {
    auto sizes = t->sizes();
    for (size_t i = 0; i < sizes.size() && static_cast<int>(i) < capacity; ++i) out[i] = sizes[i];
    return static_cast<int>(sizes.size());
  })
}

ADT_API int adt_strides(TensorHandle t, int64_t* out, int capacity) {
  ADT_GUARD(-1, {
    auto strides = t->strides();
    for (size_t i = 0; i < strides.size() && static_cast<int>(i) < capacity; ++i) out[i] = strides[i];
    return static_cast<int>(strides.size());
  })
}

ADT_API int64_t adt_size(TensorHandle t, int64_t dim) {
  ADT_GUARD(-1, { return t->size(dim); })
}

ADT_API int64_t adt_numel(TensorHandle t) {
  ADT_GUARD(-1, { return t->numel(); })
}

ADT_API int adt_dtype(TensorHandle t) {
  ADT_GUARD(-1, { return static_cast<int>(t->scalar_type()); })
}

ADT_API int adt_element_size(TensorHandle t) {
  ADT_GUARD(-1, { return static_cast<int>(t->element_size()); })
}

ADT_API int adt_is_contiguous(TensorHandle t) {
  ADT_GUARD(-1, { return t->is_contiguous() ? 1 : 0; })
}

ADT_API int adt_defined(TensorHandle t) {
  ADT_GUARD(-1, { return t->defined() ? 1 : 0; })
}

// Identity of the underlying storage, for aliasing checks in tests.
ADT_API void* adt_data_ptr(TensorHandle t) {
  ADT_GUARD(nullptr, { return t->data_ptr(); })
}

// ---- raw data ---------------------------------------------------------------------------------

// Copies the tensor's elements (row-major, whatever its strides) into `out`.
ADT_API int adt_copy_out(TensorHandle t, void* out, int64_t nbytes) {
  ADT_GUARD(-1, {
    at::Tensor c = t->detach().contiguous();
    int64_t have = c.numel() * static_cast<int64_t>(c.element_size());
    if (have != nbytes)
      throw std::invalid_argument("buffer of " + std::to_string(nbytes) + " bytes for a tensor of " +
                                  std::to_string(have) + " bytes");
    if (nbytes > 0) std::memcpy(out, c.data_ptr(), static_cast<size_t>(nbytes));
    return 0;
  })
}

// Overwrites the tensor's elements in place (without recording autograd history).
ADT_API int adt_copy_in(TensorHandle t, const void* data, int64_t nbytes) {
  ADT_GUARD(-1, {
    int64_t need = t->numel() * static_cast<int64_t>(t->element_size());
    if (need != nbytes)
      throw std::invalid_argument("data of " + std::to_string(nbytes) + " bytes for a tensor of " +
                                  std::to_string(need) + " bytes");
    at::Tensor src = at::empty(t->sizes(), t->options().requires_grad(false));
    if (nbytes > 0) std::memcpy(src.data_ptr(), data, static_cast<size_t>(nbytes));
    at::NoGradGuard no_grad;
    t->copy_(src);
    return 0;
  })
}

ADT_API double adt_item_double(TensorHandle t) {
  ADT_GUARD(0.0, { return t->item().toDouble(); })
}

ADT_API int64_t adt_item_long(TensorHandle t) {
  ADT_GUARD(0, { return t->item().toLong(); })
}

// ---- autograd -----------------------------------------------------------------------------------

ADT_API int adt_requires_grad(TensorHandle t) {
  ADT_GUARD(-1, { return t->requires_grad() ? 1 : 0; })
}

ADT_API int adt_set_requires_grad(TensorHandle t, int value) {
  ADT_GUARD(-1, {
    t->set_requires_grad(value != 0);
    return 0;
  })
}

ADT_API int adt_is_leaf(TensorHandle t) {
  ADT_GUARD(-1, { return t->is_leaf() ? 1 : 0; })
}

// Returns a new handle to the gradient, or zero (without an error) when there is none.
ADT_API TensorHandle adt_grad(TensorHandle t) {
  ADT_GUARD(nullptr, {
    const at::Tensor& g = t->grad();
    if (!g.defined()) return nullptr;
    return wrap(g);
  })
}

ADT_API int adt_set_grad(TensorHandle t, TensorHandle grad) {
  ADT_GUARD(-1, {
    t->mutable_grad() = adt::undefined_if_null(grad);
    return 0;
  })
}

// set_to_none drops the gradient; otherwise it is zeroed in place (as PyTorch's zero_grad).
ADT_API int adt_zero_grad(TensorHandle t, int set_to_none) {
  ADT_GUARD(-1, {
    at::Tensor& g = t->mutable_grad();
    if (!g.defined()) return 0;
    if (set_to_none) {
      g = at::Tensor();
    } else {
      if (g.grad_fn()) g = g.detach();
      else g.requires_grad_(false);
      g.zero_();
    }
    return 0;
  })
}

ADT_API int adt_backward(TensorHandle t, TensorHandle grad, int retain_graph, int create_graph) {
  ADT_GUARD(-1, {
    c10::optional<bool> retain;
    if (retain_graph >= 0) retain = retain_graph != 0;
    t->backward(adt::undefined_if_null(grad), retain, create_graph != 0);
    return 0;
  })
}

ADT_API int adt_has_grad_fn(TensorHandle t) {
  ADT_GUARD(-1, { return t->grad_fn() ? 1 : 0; })
}

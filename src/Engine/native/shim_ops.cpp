// Tensor operations. Families of ops share one entry point selected by a small integer code, so
// the ABI stays compact and every call is blittable. The codes are mirrored in Native.cs.
#include "shim.h"

#include <limits>
#include <vector>

using adt::wrap;

namespace {

std::vector<at::Tensor> gather_handles(TensorHandle* handles, int count) {
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) list.push_back(*handles[i]);
  return list;
}

// Writes tensors to `out`; fails rather than truncating so no handle is leaked.
int emit(const std::vector<at::Tensor>& parts, TensorHandle* out, int capacity) {
  if (static_cast<int>(parts.size()) > capacity)
    throw std::invalid_argument("result has " + std::to_string(parts.size()) + " parts, room for " +
                                std::to_string(capacity));
  for (size_t i = 0; i < parts.size(); ++i) out[i] = wrap(parts[i]);
  return static_cast<int>(parts.size());
}

// Unary ops (code: name): 0 neg, 1 abs, 2 exp, 3 log, 4 sqrt, 5 rsqrt, 6 relu, 7 relu6,
// 8 sigmoid, 9 tanh, 10 silu, 11 gelu, 12 gelu(tanh), 13 hardswish, 14 hardsigmoid, 15 sign,
// 16 floor, 17 ceil, 18 round, 19 square, 20 reciprocal, 21 sin, 22 cos, 23 logical_not,
// 24 isnan, 25 erf, 26 erfinv, 27 log1p, 28 expm1, 29 mish, 30 softplus, 31 contiguous,
// 32 clone, 33 detach, 34 trunc, 35 zero, 36 t, 37 alias, 38 log2, 39 softsign(unused), 40 isinf
at::Tensor unary(const at::Tensor& x, int op) {
  switch (op) {
    case 0: return at::neg(x);
    case 1: return at::abs(x);
    case 2: return at::exp(x);
    case 3: return at::log(x);
    case 4: return at::sqrt(x);
    case 5: return at::rsqrt(x);
    case 6: return at::relu(x);
    case 7: return at::hardtanh(x, 0.0, 6.0);
    case 8: return at::sigmoid(x);
    case 9: return at::tanh(x);
    case 10: return at::silu(x);
    case 11: return at::gelu(x, "none");
    case 12: return at::gelu(x, "tanh");
    case 13: return at::hardswish(x);
    case 14: return at::hardsigmoid(x);
    case 15: return at::sign(x);
    case 16: return at::floor(x);
    case 17: return at::ceil(x);
    case 18: return at::round(x);
    case 19: return at::square(x);
    case 20: return at::reciprocal(x);
    case 21: return at::sin(x);
    case 22: return at::cos(x);
    case 23: return at::logical_not(x);
    case 24: return at::isnan(x);
    case 25: return at::erf(x);
    case 26: return at::erfinv(x);
    case 27: return at::log1p(x);
    case 28: return at::expm1(x);
    case 29: return at::mish(x);
    case 30: return at::softplus(x);
    case 31: return x.contiguous();
    case 32: return x.clone();
    case 33: return x.detach();
    case 34: return at::trunc(x);
    case 35: return at::zeros_like(x);
    case 36: return x.t();
    case 37: return x.alias();
    case 38: return at::log2(x);
    case 40: return at::isinf(x);
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

// In place where libtorch has a native in-place kernel; otherwise computed and copied back.
void unary_(at::Tensor& x, int op) {
  switch (op) {
    case 0: x.neg_(); return;
    case 1: x.abs_(); return;
    case 2: x.exp_(); return;
    case 3: x.log_(); return;
    case 4: x.sqrt_(); return;
    case 5: x.rsqrt_(); return;
    case 6: at::relu_(x); return;
    case 7: at::hardtanh_(x, 0.0, 6.0); return;
    case 8: x.sigmoid_(); return;
    case 9: x.tanh_(); return;
    case 10: at::silu_(x); return;
    case 13: at::hardswish_(x); return;
    case 14: at::hardsigmoid_(x); return;
    case 16: x.floor_(); return;
    case 17: x.ceil_(); return;
    case 18: x.round_(); return;
    case 20: x.reciprocal_(); return;
    case 26: x.erfinv_(); return;
    case 34: x.trunc_(); return;
    case 35: x.zero_(); return;
    default: {
      at::Tensor r = unary(x, op);
      x.copy_(r);
      return;
    }
  }
}

// Binary ops with a tensor right-hand side: 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 maximum,
// 6 minimum, 7 eq, 8 ne, 9 lt, 10 le, 11 gt, 12 ge, 13 matmul, 14 remainder, 15 logical_and,
// 16 logical_or, 17 floor_divide, 18 bitwise_and, 19 bitwise_or, 20 mm, 21 bmm, 22 fmod,
// 23 logical_xor, 27 div(trunc), 28 div(floor)
at::Tensor binary(const at::Tensor& a, const at::Tensor& b, int op, const at::Scalar& alpha) {
  switch (op) {
    case 0: return at::add(a, b, alpha);
    case 1: return at::sub(a, b, alpha);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 5: return at::maximum(a, b);
    case 6: return at::minimum(a, b);
    case 7: return at::eq(a, b);
    case 8: return at::ne(a, b);
    case 9: return at::lt(a, b);
    case 10: return at::le(a, b);
    case 11: return at::gt(a, b);
    case 12: return at::ge(a, b);
    case 13: return at::matmul(a, b);
    case 14: return at::remainder(a, b);
    case 15: return at::logical_and(a, b);
    case 16: return at::logical_or(a, b);
    case 17: return at::floor_divide(a, b);
    case 18: return at::bitwise_and(a, b);
    case 19: return at::bitwise_or(a, b);
    case 20: return at::mm(a, b);
    case 21: return at::bmm(a, b);
    case 22: return at::fmod(a, b);
    case 23: return at::logical_xor(a, b);
    case 27: return at::div(a, b, "trunc");
    case 28: return at::div(a, b, "floor");
    default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
  }
}

void binary_(at::Tensor& a, const at::Tensor& b, int op, const at::Scalar& alpha) {
  switch (op) {
    case 0: a.add_(b, alpha); return;
    case 1: a.sub_(b, alpha); return;
    case 2: a.mul_(b); return;
    case 3: a.div_(b); return;
    case 4: a.pow_(b); return;
    case 14: a.remainder_(b); return;
    case 27: a.div_(b, "trunc"); return;
    case 28: a.div_(b, "floor"); return;
    default: {
      at::Tensor r = binary(a, b, op, alpha);
      a.copy_(r);
      return;
    }
  }
}

// Scalar right-hand side; also 24 rsub (s - a), 25 rdiv (s / a), 26 rpow (s ** a).
at::Tensor binary_scalar(const at::Tensor& a, const at::Scalar& s, int op, const at::Scalar& alpha) {
  switch (op) {
    case 0: return at::add(a, s, alpha);
    case 1: return at::sub(a, s, alpha);
    case 2: return at::mul(a, s);
    case 3: return at::div(a, s);
    case 4: return at::pow(a, s);
    case 5: return at::clamp_min(a, s);
    case 6: return at::clamp_max(a, s);
    case 7: return at::eq(a, s);
    case 8: return at::ne(a, s);
    case 9: return at::lt(a, s);
    case 10: return at::le(a, s);
    case 11: return at::gt(a, s);
    case 12: return at::ge(a, s);
    case 14: return at::remainder(a, s);
    case 17: return at::floor_divide(a, s);
    case 22: return at::fmod(a, s);
    case 24: return at::rsub(a, s, alpha);
    case 25: return at::mul(at::reciprocal(a), s);
    case 26: return at::pow(s, a);
    case 27: return at::div(a, s, "trunc");
    case 28: return at::div(a, s, "floor");
    default: throw std::invalid_argument("unknown scalar op " + std::to_string(op));
  }
}

void binary_scalar_(at::Tensor& a, const at::Scalar& s, int op, const at::Scalar& alpha) {
  switch (op) {
    case 0: a.add_(s, alpha); return;
    case 1: a.sub_(s, alpha); return;
    case 2: a.mul_(s); return;
    case 3: a.div_(s); return;
    case 4: a.pow_(s); return;
    case 5: a.clamp_min_(s); return;
    case 6: a.clamp_max_(s); return;
    case 14: a.remainder_(s); return;
    case 22: a.fmod_(s); return;
    default: {
      at::Tensor r = binary_scalar(a, s, op, alpha);
      a.copy_(r);
      return;
    }
  }
}

}  // namespace

ADT_API TensorHandle adt_unary(TensorHandle t, int op, int inplace) {
  ADT_GUARD(nullptr, {
    if (inplace) {
      unary_(*t, op);
      return wrap(*t);
    }
    return wrap(unary(*t, op));
  })
}

// In-place forms return 0 and leave the caller's handle as the result.
ADT_API int adt_unary_(TensorHandle t, int op) {
  ADT_GUARD(-1, {
    unary_(*t, op);
    return 0;
  })
}

ADT_API TensorHandle adt_binary(TensorHandle a, TensorHandle b, int op, double alpha, int alpha_is_integral) {
  ADT_GUARD(nullptr, { return wrap(binary(*a, *b, op, adt::scalar(alpha, alpha_is_integral))); })
}

ADT_API int adt_binary_(TensorHandle a, TensorHandle b, int op, double alpha, int alpha_is_integral) {
  ADT_GUARD(-1, {
    binary_(*a, *b, op, adt::scalar(alpha, alpha_is_integral));
    return 0;
  })
}

ADT_API TensorHandle adt_binary_scalar(TensorHandle a, double s, int s_is_integral, int op, double alpha,
                                       int alpha_is_integral) {
  ADT_GUARD(nullptr, {
    return wrap(binary_scalar(*a, adt::scalar(s, s_is_integral), op, adt::scalar(alpha, alpha_is_integral)));
  })
}

ADT_API int adt_binary_scalar_(TensorHandle a, double s, int s_is_integral, int op, double alpha,
                               int alpha_is_integral) {
  ADT_GUARD(-1, {
    binary_scalar_(*a, adt::scalar(s, s_is_integral), op, adt::scalar(alpha, alpha_is_integral));
    return 0;
  })
}

// Reductions over `dims` (all dims when ndims < 0): 0 sum, 1 mean, 2 prod (one dim or all),
// 3 amax, 4 amin, 5 all, 6 any, 7 std, 8 var, 9 std (biased), 10 var (biased), 11 logsumexp,
// 12 norm (2-norm). dtype < 0 keeps the input's type.
ADT_API TensorHandle adt_reduce(TensorHandle t, int op, const int64_t* dims, int ndims, int keepdim, int dtype) {
  ADT_GUARD(nullptr, {
    const at::Tensor& x = *t;
    bool all = ndims < 0;
    at::IntArrayRef d = all ? at::IntArrayRef() : at::IntArrayRef(dims, static_cast<size_t>(ndims));
    c10::optional<at::ScalarType> dt;
    if (dtype >= 0) dt = adt::dtype(dtype);
    bool kd = keepdim != 0;
    switch (op) {
      case 0: return wrap(all ? at::sum(x, dt) : at::sum(x, d, kd, dt));
      case 1: return wrap(all ? at::mean(x, dt) : at::mean(x, d, kd, dt));
      case 2: {
        if (all) return wrap(at::prod(x, dt));
        if (ndims != 1) throw std::invalid_argument("prod reduces over one dimension");
        return wrap(at::prod(x, d[0], kd, dt));
      }
      case 3: return wrap(at::amax(x, d, kd));
      case 4: return wrap(at::amin(x, d, kd));
      case 5: {
        if (all) return wrap(at::all(x));
        if (ndims != 1) throw std::invalid_argument("all reduces over one dimension");
        return wrap(at::all(x, d[0], kd));
      }
      case 6: {
        if (all) return wrap(at::any(x));
        if (ndims != 1) throw std::invalid_argument("any reduces over one dimension");
        return wrap(at::any(x, d[0], kd));
      }
      case 7: return wrap(all ? at::std(x, true) : at::std(x, at::OptionalIntArrayRef(d), true, kd));
      case 8: return wrap(all ? at::var(x, true) : at::var(x, at::OptionalIntArrayRef(d), true, kd));
      case 9: return wrap(all ? at::std(x, false) : at::std(x, at::OptionalIntArrayRef(d), false, kd));
      case 10: return wrap(all ? at::var(x, false) : at::var(x, at::OptionalIntArrayRef(d), false, kd));
      case 11: {
        std::vector<int64_t> every;
        if (all) for (int64_t i = 0; i < x.dim(); ++i) every.push_back(i);
        return wrap(at::logsumexp(x, all ? at::IntArrayRef(every) : d, kd));
      }
      case 12: return wrap(all ? at::norm(x) : at::norm(x, at::Scalar(2.0), d, kd));
      default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
    }
  })
}

// which: 0 argmax, 1 argmin. has_dim == 0 flattens first.
ADT_API TensorHandle adt_argext(TensorHandle t, int which, int64_t dim, int has_dim, int keepdim) {
  ADT_GUARD(nullptr, {
    c10::optional<int64_t> d;
    if (has_dim) d = dim;
    return wrap(which == 0 ? at::argmax(*t, d, keepdim != 0) : at::argmin(*t, d, keepdim != 0));
  })
}

// which: 0 max, 1 min along a dimension; writes (values, indices).
ADT_API int adt_ext_dim(TensorHandle t, int which, int64_t dim, int keepdim, TensorHandle* values,
                        TensorHandle* indices) {
  ADT_GUARD(-1, {
    auto r = which == 0 ? at::max(*t, dim, keepdim != 0) : at::min(*t, dim, keepdim != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    return 0;
  })
}

// which: 0 max, 1 min over all elements.
ADT_API TensorHandle adt_ext_all(TensorHandle t, int which) {
  ADT_GUARD(nullptr, { return wrap(which == 0 ? at::max(*t) : at::min(*t)); })
}

ADT_API int adt_topk(TensorHandle t, int64_t k, int64_t dim, int largest, int sorted, TensorHandle* values,
                     TensorHandle* indices) {
  ADT_GUARD(-1, {
    auto r = at::topk(*t, k, dim, largest != 0, sorted != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    return 0;
  })
}

// ---- shape ------------------------------------------------------------------------------------

// Shape ops taking a list of sizes: 0 view, 1 reshape, 2 permute, 3 expand, 4 repeat,
// 5 flip, 6 broadcast_to
ADT_API TensorHandle adt_shape_op(TensorHandle t, int op, const int64_t* sizes, int n) {
  ADT_GUARD(nullptr, {
    at::IntArrayRef s(sizes, static_cast<size_t>(n));
    switch (op) {
      case 0: return wrap(t->view(s));
      case 1: return wrap(t->reshape(s));
      case 2: return wrap(t->permute(s));
      case 3: return wrap(t->expand(s));
      case 4: return wrap(t->repeat(s));
      case 5: return wrap(at::flip(*t, s));
      case 6: return wrap(at::broadcast_to(*t, s));
      default: throw std::invalid_argument("unknown shape op " + std::to_string(op));
    }
  })
}

// Shape ops with up to three integer arguments: 0 flatten(a, b), 1 transpose(a, b),
// 2 narrow(dim a, start b, length c), 3 select(dim a, index b), 4 squeeze(dim a), 5 squeeze(all),
// 6 unsqueeze(a), 7 movedim(a, b), 8 diagonal(offset a, dim1 b, dim2 c), 9 tril(a), 10 triu(a),
// 11 roll(shift a, dim b), 12 cumsum(dim a)
ADT_API TensorHandle adt_dims_op(TensorHandle t, int op, int64_t a, int64_t b, int64_t c) {
  ADT_GUARD(nullptr, {
    switch (op) {
      case 0: return wrap(t->flatten(a, b));
      case 1: return wrap(t->transpose(a, b));
      case 2: return wrap(t->narrow(a, b, c));
      case 3: return wrap(t->select(a, b));
      case 4: return wrap(t->squeeze(a));
      case 5: return wrap(t->squeeze());
      case 6: return wrap(t->unsqueeze(a));
      case 7: return wrap(t->movedim(a, b));
      case 8: return wrap(t->diagonal(a, b, c));
      case 9: return wrap(t->tril(a));
      case 10: return wrap(t->triu(a));
      case 11: return wrap(at::roll(*t, {a}, {b}));
      case 12: return wrap(at::cumsum(*t, a));
      default: throw std::invalid_argument("unknown dims op " + std::to_string(op));
    }
  })
}

// has_start/has_end select Python's open-ended slice bounds.
ADT_API TensorHandle adt_slice(TensorHandle t, int64_t dim, int64_t start, int has_start, int64_t end,
                               int has_end, int64_t step) {
  ADT_GUARD(nullptr, {
    c10::optional<int64_t> s, e;
    if (has_start) s = start;
    if (has_end) e = end;
    return wrap(at::slice(*t, dim, s, e, step));
  })
}

ADT_API int adt_chunk(TensorHandle t, int64_t chunks, int64_t dim, TensorHandle* out, int capacity) {
  ADT_GUARD(-1, { return emit(t->chunk(chunks, dim), out, capacity); })
}

ADT_API int adt_split(TensorHandle t, int64_t size, int64_t dim, TensorHandle* out, int capacity) {
  ADT_GUARD(-1, { return emit(t->split(size, dim), out, capacity); })
}

ADT_API int adt_split_sizes(TensorHandle t, const int64_t* sizes, int n, int64_t dim, TensorHandle* out,
                            int capacity) {
  ADT_GUARD(-1, {
    return emit(t->split_with_sizes(at::IntArrayRef(sizes, static_cast<size_t>(n)), dim), out, capacity);
  })
}

ADT_API int adt_unbind(TensorHandle t, int64_t dim, TensorHandle* out, int capacity) {
  ADT_GUARD(-1, { return emit(t->unbind(dim), out, capacity); })
}

// which: 0 cat, 1 stack, 2 hstack, 3 vstack
ADT_API TensorHandle adt_join(TensorHandle* handles, int count, int64_t dim, int which) {
  ADT_GUARD(nullptr, {
    auto list = gather_handles(handles, count);
    switch (which) {
      case 0: return wrap(at::cat(list, dim));
      case 1: return wrap(at::stack(list, dim));
      case 2: return wrap(at::hstack(list));
      case 3: return wrap(at::vstack(list));
      default: throw std::invalid_argument("unknown join " + std::to_string(which));
    }
  })
}

// ---- selection and indexing ---------------------------------------------------------------------

ADT_API TensorHandle adt_where(TensorHandle cond, TensorHandle a, TensorHandle b) {
  ADT_GUARD(nullptr, { return wrap(at::where(*cond, *a, *b)); })
}

ADT_API TensorHandle adt_masked_fill(TensorHandle t, TensorHandle mask, double value, int is_integral, int inplace) {
  ADT_GUARD(nullptr, {
    auto v = adt::scalar(value, is_integral);
    if (inplace) {
      t->masked_fill_(*mask, v);
      return wrap(*t);
    }
    return wrap(t->masked_fill(*mask, v));
  })
}

// which: 0 index_select, 1 gather, 2 take_along_dim
ADT_API TensorHandle adt_index_op(TensorHandle t, int which, int64_t dim, TensorHandle index) {
  ADT_GUARD(nullptr, {
    switch (which) {
      case 0: return wrap(at::index_select(*t, dim, *index));
      case 1: return wrap(at::gather(*t, dim, *index));
      case 2: return wrap(at::take_along_dim(*t, *index, dim));
      default: throw std::invalid_argument("unknown index op " + std::to_string(which));
    }
  })
}

// t[indices...] with one optional tensor per leading dimension (zero handle = whole dimension).
ADT_API TensorHandle adt_index(TensorHandle t, TensorHandle* indices, int count) {
  ADT_GUARD(nullptr, {
    c10::List<c10::optional<at::Tensor>> list;
    for (int i = 0; i < count; ++i) list.push_back(adt::opt(indices[i]));
    return wrap(at::index(*t, list));
  })
}

ADT_API int adt_index_put_(TensorHandle t, TensorHandle* indices, int count, TensorHandle value) {
  ADT_GUARD(-1, {
    c10::List<c10::optional<at::Tensor>> list;
    for (int i = 0; i < count; ++i) list.push_back(adt::opt(indices[i]));
    t->index_put_(list, *value);
    return 0;
  })
}

ADT_API TensorHandle adt_clamp(TensorHandle t, double lo, int has_lo, double hi, int has_hi, int inplace) {
  ADT_GUARD(nullptr, {
    c10::optional<at::Scalar> l, h;
    if (has_lo) l = at::Scalar(lo);
    if (has_hi) h = at::Scalar(hi);
    if (inplace) {
      t->clamp_(l, h);
      return wrap(*t);
    }
    return wrap(at::clamp(*t, l, h));
  })
}

ADT_API TensorHandle adt_to_dtype(TensorHandle t, int dtype, int copy) {
  ADT_GUARD(nullptr, { return wrap(t->to(adt::dtype(dtype), false, copy != 0)); })
}

ADT_API int adt_copy_(TensorHandle dst, TensorHandle src) {
  ADT_GUARD(-1, {
    dst->copy_(*src);
    return 0;
  })
}

ADT_API int adt_fill_(TensorHandle t, double value, int is_integral) {
  ADT_GUARD(-1, {
    t->fill_(adt::scalar(value, is_integral));
    return 0;
  })
}

ADT_API int adt_equal(TensorHandle a, TensorHandle b) {
  ADT_GUARD(-1, { return at::equal(*a, *b) ? 1 : 0; })
}

ADT_API int adt_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, int equal_nan) {
  ADT_GUARD(-1, { return at::allclose(*a, *b, rtol, atol, equal_nan != 0) ? 1 : 0; })
}

// which: 0 softmax, 1 log_softmax; dtype < 0 keeps the input's type.
ADT_API TensorHandle adt_softmax(TensorHandle t, int which, int64_t dim, int dtype) {
  ADT_GUARD(nullptr, {
    c10::optional<at::ScalarType> dt;
    if (dtype >= 0) dt = adt::dtype(dtype);
    return wrap(which == 0 ? at::softmax(*t, dim, dt) : at::log_softmax(*t, dim, dt));
  })
}

// ---- random ---------------------------------------------------------------------------------------

// In place: 0 uniform_(a, b), 1 normal_(mean a, std b), 2 bernoulli_(p a)
ADT_API int adt_random_(TensorHandle t, int which, double a, double b) {
  ADT_GUARD(-1, {
    switch (which) {
      case 0: t->uniform_(a, b); return 0;
      case 1: t->normal_(a, b); return 0;
      case 2: t->bernoulli_(a); return 0;
      default: throw std::invalid_argument("unknown random op " + std::to_string(which));
    }
  })
}

// Bernoulli draws with per-element probabilities `t` (p < 0) or a fixed probability p.
ADT_API TensorHandle adt_bernoulli(TensorHandle t, double p) {
  ADT_GUARD(nullptr, {
    if (p < 0) return wrap(at::bernoulli(*t));
    return wrap(at::bernoulli(*t, p));
  })
}

ADT_API TensorHandle adt_multinomial(TensorHandle t, int64_t n, int replacement) {
  ADT_GUARD(nullptr, { return wrap(at::multinomial(*t, n, replacement != 0)); })
}

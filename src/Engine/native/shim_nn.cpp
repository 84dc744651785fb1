// Neural-network functionals: convolution, normalisation, pooling, dropout, padding, losses.
#include "shim.h"

#include <ATen/Config.h>

using adt::wrap;

namespace {

at::IntArrayRef pair(const int64_t* p) { return at::IntArrayRef(p, 2); }

// Which kernel runs a CPU float32 convolution (adt_set_convolution_kernel). 0: libtorch's own choice, the one
// torchvision gets. 1: oneDNN for every eligible call. libtorch 1.13 sends unstrided 1x1 convolutions at batch < 16
// on one thread to im2col + BLAS, tuned for MKL; Debian links the reference BLAS, which makes that path ~10x slower
// than oneDNN (ResNet-50, batch 1, one thread: 617 ms against 66 ms).
// The environment variable ARCHDSL_CONVOLUTION=onednn sets it for a whole process.
std::atomic<int> convolution_kernel{adt::environment_says("ARCHDSL_CONVOLUTION", "onednn") ? 1 : 0};

bool onednn_eligible(const at::Tensor& input, const at::Tensor& weight) {
#if AT_MKLDNN_ENABLED()
  return convolution_kernel.load(std::memory_order_relaxed) == 1 && at::globalContext().userEnabledMkldnn() &&
         input.device().is_cpu() && input.layout() == at::kStrided && !input.is_mkldnn() &&
         input.scalar_type() == at::kFloat && weight.scalar_type() == at::kFloat && input.dim() == 4 &&
         input.numel() > 0;
#else
  (void)input;
  (void)weight;
  return false;
#endif
}

}  // namespace

ADT_API int adt_set_convolution_kernel(int kind) {
  if (kind != 0 && kind != 1) return -1;
  convolution_kernel.store(kind);
  return 0;
}

ADT_API int adt_get_convolution_kernel() { return convolution_kernel.load(); }

// padding_kind: 0 explicit `padding`, 1 "valid", 2 "same".
ADT_API TensorHandle adt_conv2d(TensorHandle input, TensorHandle weight, TensorHandle bias, const int64_t* stride,
                                const int64_t* padding, const int64_t* dilation, int64_t groups, int padding_kind) {
  ADT_GUARD(nullptr, {
    auto b = adt::opt(bias);
    if (padding_kind == 0 && onednn_eligible(*input, *weight))
      return wrap(at::mkldnn_convolution(input->contiguous(), weight->contiguous(), b, pair(padding), pair(stride),
                                         pair(dilation), groups));
    if (padding_kind == 0)
      return wrap(at::conv2d(*input, *weight, b, pair(stride), pair(padding), pair(dilation), groups));
    return wrap(at::conv2d(*input, *weight, b, pair(stride), padding_kind == 1 ? "valid" : "same", pair(dilation),
                           groups));
  })
}

ADT_API TensorHandle adt_conv1d(TensorHandle input, TensorHandle weight, TensorHandle bias, int64_t stride,
                                int64_t padding, int64_t dilation, int64_t groups) {
  ADT_GUARD(nullptr, { return wrap(at::conv1d(*input, *weight, adt::opt(bias), stride, padding, dilation, groups)); })
}

ADT_API TensorHandle adt_conv_transpose2d(TensorHandle input, TensorHandle weight, TensorHandle bias,
                                          const int64_t* stride, const int64_t* padding,
                                          const int64_t* output_padding, const int64_t* dilation, int64_t groups) {
  ADT_GUARD(nullptr, {
    return wrap(at::conv_transpose2d(*input, *weight, adt::opt(bias), pair(stride), pair(padding),
                                     pair(output_padding), groups, pair(dilation)));
  })
}

// Running statistics are updated in place when training (as torch.nn.functional.batch_norm).
ADT_API TensorHandle adt_batch_norm(TensorHandle input, TensorHandle weight, TensorHandle bias,
                                    TensorHandle running_mean, TensorHandle running_var, int training,
                                    double momentum, double eps) {
  ADT_GUARD(nullptr, {
    return wrap(at::batch_norm(*input, adt::opt(weight), adt::opt(bias), adt::opt(running_mean),
                               adt::opt(running_var), training != 0, momentum, eps, true));
  })
}

ADT_API TensorHandle adt_group_norm(TensorHandle input, int64_t groups, TensorHandle weight, TensorHandle bias,
                                    double eps) {
  ADT_GUARD(nullptr, { return wrap(at::group_norm(*input, groups, adt::opt(weight), adt::opt(bias), eps, true)); })
}

ADT_API TensorHandle adt_layer_norm(TensorHandle input, const int64_t* shape, int n, TensorHandle weight,
                                    TensorHandle bias, double eps) {
  ADT_GUARD(nullptr, {
    return wrap(at::layer_norm(*input, at::IntArrayRef(shape, static_cast<size_t>(n)), adt::opt(weight),
                               adt::opt(bias), eps, true));
  })
}

ADT_API TensorHandle adt_linear(TensorHandle input, TensorHandle weight, TensorHandle bias) {
  ADT_GUARD(nullptr, { return wrap(at::linear(*input, *weight, adt::opt(bias))); })
}

// Writes the pooled values and, when `indices` is non-null, the argmax positions.
ADT_API TensorHandle adt_max_pool2d(TensorHandle input, const int64_t* kernel, const int64_t* stride,
                                    const int64_t* padding, const int64_t* dilation, int ceil_mode,
                                    TensorHandle* indices) {
  ADT_GUARD(nullptr, {
    if (indices != nullptr) {
      auto r = at::max_pool2d_with_indices(*input, pair(kernel), pair(stride), pair(padding), pair(dilation),
                                           ceil_mode != 0);
      *indices = wrap(std::get<1>(r));
      return wrap(std::get<0>(r));
    }
    return wrap(at::max_pool2d(*input, pair(kernel), pair(stride), pair(padding), pair(dilation), ceil_mode != 0));
  })
}

// divisor_override <= 0 means none.
ADT_API TensorHandle adt_avg_pool2d(TensorHandle input, const int64_t* kernel, const int64_t* stride,
                                    const int64_t* padding, int ceil_mode, int count_include_pad,
                                    int64_t divisor_override) {
  ADT_GUARD(nullptr, {
    c10::optional<int64_t> div;
    if (divisor_override > 0) div = divisor_override;
    return wrap(at::avg_pool2d(*input, pair(kernel), pair(stride), pair(padding), ceil_mode != 0,
                               count_include_pad != 0, div));
  })
}

// which: 0 adaptive average, 1 adaptive max.
ADT_API TensorHandle adt_adaptive_pool2d(TensorHandle input, int which, const int64_t* output_size) {
  ADT_GUARD(nullptr, {
    if (which == 0) return wrap(at::adaptive_avg_pool2d(*input, pair(output_size)));
    return wrap(std::get<0>(at::adaptive_max_pool2d(*input, pair(output_size))));
  })
}

// which: 0 dropout, 1 feature (channel) dropout as Dropout2d, 2 alpha dropout.
ADT_API TensorHandle adt_dropout(TensorHandle input, int which, double p, int training, int inplace) {
  ADT_GUARD(nullptr, {
    bool train = training != 0;
    if (inplace) {
      switch (which) {
        case 0: at::dropout_(*input, p, train); break;
        case 1: at::feature_dropout_(*input, p, train); break;
        default: at::alpha_dropout_(*input, p, train); break;
      }
      return wrap(*input);
    }
    switch (which) {
      case 0: return wrap(at::dropout(*input, p, train));
      case 1: return wrap(at::feature_dropout(*input, p, train));
      default: return wrap(at::alpha_dropout(*input, p, train));
    }
  })
}

// Parameterised activations: 0 leaky_relu(a), 1 elu(alpha a), 2 hardtanh(a, b), 3 celu(a),
// 4 softplus(beta a, threshold b), 5 threshold(a, value b), 6 gelu (a != 0: tanh approximation)
ADT_API TensorHandle adt_activation(TensorHandle input, int which, double a, double b, int inplace) {
  ADT_GUARD(nullptr, {
    at::Tensor& x = *input;
    if (inplace) {
      switch (which) {
        case 0: at::leaky_relu_(x, a); return wrap(x);
        case 1: at::elu_(x, a); return wrap(x);
        case 2: at::hardtanh_(x, a, b); return wrap(x);
        case 3: at::celu_(x, a); return wrap(x);
        case 5: at::threshold_(x, a, b); return wrap(x);
        default: break;
      }
    }
    at::Tensor r;
    switch (which) {
      case 0: r = at::leaky_relu(x, a); break;
      case 1: r = at::elu(x, a); break;
      case 2: r = at::hardtanh(x, a, b); break;
      case 3: r = at::celu(x, a); break;
      case 4: r = at::softplus(x, a, b); break;
      case 5: r = at::threshold(x, a, b); break;
      case 6: r = at::gelu(x, a != 0 ? "tanh" : "none"); break;
      default: throw std::invalid_argument("unknown activation " + std::to_string(which));
    }
    if (inplace) {
      x.copy_(r);
      return wrap(x);
    }
    return wrap(std::move(r));
  })
}

// Same formula as torch.nn.functional.local_response_norm: the squared input is averaged over a
// window of `size` neighbouring channels, zero-padded at both ends.
ADT_API TensorHandle adt_local_response_norm(TensorHandle input, int64_t size, double alpha, double beta, double k) {
  ADT_GUARD(nullptr, {
    const at::Tensor& x = *input;
    int64_t dim = x.dim();
    if (dim < 3)
      throw std::invalid_argument("Expected 3D or higher dimensionality input (got " + std::to_string(dim) +
                                  " dimensions)");
    if (x.numel() == 0) return wrap(x.clone());
    at::Tensor div = x.mul(x).unsqueeze(1);
    if (dim == 3) {
      div = at::constant_pad_nd(div, {0, 0, size / 2, (size - 1) / 2});
      div = at::avg_pool2d(div, {size, 1}, {1, 1}).squeeze(1);
    } else {
      auto sizes = x.sizes();
      div = div.view({sizes[0], 1, sizes[1], sizes[2], -1});
      div = at::constant_pad_nd(div, {0, 0, 0, 0, size / 2, (size - 1) / 2});
      div = at::avg_pool3d(div, {size, 1, 1}, {1, 1, 1}).squeeze(1);
      div = div.view(sizes);
    }
    div = div.mul(alpha).add(k).pow(beta);
    return wrap(x / div);
  })
}

// Channel shuffle as view-transpose-view, which autograd differentiates (ShuffleNet's form).
ADT_API TensorHandle adt_channel_shuffle(TensorHandle input, int64_t groups) {
  ADT_GUARD(nullptr, {
    const at::Tensor& x = *input;
    if (x.dim() < 3) throw std::invalid_argument("channel_shuffle expects at least 3 dimensions");
    int64_t channels = x.size(1);
    if (groups <= 0 || channels % groups != 0)
      throw std::invalid_argument("Number of channels must be divisible by groups. Got " +
                                  std::to_string(channels) + " channels and " + std::to_string(groups) +
                                  " groups.");
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    std::vector<int64_t> split = {shape[0], groups, channels / groups};
    split.insert(split.end(), shape.begin() + 2, shape.end());
    return wrap(x.view(split).transpose(1, 2).contiguous().view(shape));
  })
}

// mode: 0 constant, 1 reflect, 2 replicate, 3 circular.
ADT_API TensorHandle adt_pad(TensorHandle input, const int64_t* pads, int n, int mode, double value) {
  ADT_GUARD(nullptr, {
    static const char* modes[] = {"constant", "reflect", "replicate", "circular"};
    if (mode < 0 || mode > 3) throw std::invalid_argument("unknown padding mode");
    c10::optional<double> v;
    if (mode == 0) v = value;
    return wrap(at::pad(*input, at::IntArrayRef(pads, static_cast<size_t>(n)), modes[mode], v));
  })
}

// mode: 0 nearest, 1 bilinear. Either explicit size (h, w > 0) or scale factors.
ADT_API TensorHandle adt_interpolate2d(TensorHandle input, int mode, int64_t h, int64_t w, double sh, double sw,
                                       int align_corners) {
  ADT_GUARD(nullptr, {
    c10::optional<at::IntArrayRef> size;
    std::vector<int64_t> hw = {h, w};
    c10::optional<at::ArrayRef<double>> scales;
    std::vector<double> s = {sh, sw};
    if (h > 0) size = at::IntArrayRef(hw);
    else scales = at::ArrayRef<double>(s);
    if (mode == 0) return wrap(at::upsample_nearest2d(*input, size, scales));
    return wrap(at::upsample_bilinear2d(*input, size, align_corners != 0, scales));
  })
}

// reduction: 0 none, 1 mean, 2 sum (TorchSharp's Reduction enum order).
static int64_t reduction_code(int reduction) {
  switch (reduction) {
    case 0: return at::Reduction::None;
    case 1: return at::Reduction::Mean;
    case 2: return at::Reduction::Sum;
    default: throw std::invalid_argument("unknown reduction");
  }
}

ADT_API TensorHandle adt_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, int reduction,
                                       int64_t ignore_index, double label_smoothing) {
  ADT_GUARD(nullptr, {
    return wrap(at::cross_entropy_loss(*input, *target, adt::opt(weight), reduction_code(reduction), ignore_index,
                                       label_smoothing));
  })
}

ADT_API TensorHandle adt_nll_loss(TensorHandle input, TensorHandle target, TensorHandle weight, int reduction,
                                  int64_t ignore_index) {
  ADT_GUARD(nullptr, {
    return wrap(at::nll_loss_nd(*input, *target, adt::opt(weight), reduction_code(reduction), ignore_index));
  })
}

// which: 0 mse, 1 l1, 2 binary_cross_entropy_with_logits, 3 binary_cross_entropy, 4 smooth_l1(beta a),
// 5 huber(delta a)
ADT_API TensorHandle adt_loss(TensorHandle input, TensorHandle target, int which, int reduction, double a) {
  ADT_GUARD(nullptr, {
    int64_t r = reduction_code(reduction);
    switch (which) {
      case 0: return wrap(at::mse_loss(*input, *target, r));
      case 1: return wrap(at::l1_loss(*input, *target, r));
      case 2: return wrap(at::binary_cross_entropy_with_logits(*input, *target, {}, {}, r));
      case 3: return wrap(at::binary_cross_entropy(*input, *target, {}, r));
      case 4: return wrap(at::smooth_l1_loss(*input, *target, r, a));
      case 5: return wrap(at::huber_loss(*input, *target, r, a));
      default: throw std::invalid_argument("unknown loss " + std::to_string(which));
    }
  })
}

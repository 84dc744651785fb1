using System.Collections.Generic;
using System.Linq;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>Assembles an nn.Module class from a translated body, and holds the helpers every emitted module
    /// starts with (the Python counterparts of ArchDsl.Runtime's FeatureShape, ChildNames and ArchOps).</summary>
    internal static class PythonClassWriter
    {
        /// <summary>A block (its first constructor argument is the input's <c>_Shape</c>) or a network (it builds
        /// from <paramref name="inputShape"/>, the declared input).</summary>
        public static string ModuleClass(string name, string doc, bool isBlock, IList<string> signature, IList<string> prologue,
            string? inputShape, PyWriter init, PyWriter forward, IReadOnlyList<(string Local, string Name)> aux,
            IReadOnlyList<(string Local, string Name)>? named = null)
        {
            var w = new PyWriter();
            w.Open("class " + name + "(nn.Module)");
            w.Line("\"\"\"" + PyNaming.Comment(doc) + "\"\"\"");
            w.Line();
            var parameters = new List<string> { "self" };
            if (isBlock) parameters.Add("input_shape");
            parameters.AddRange(signature);
            w.Open("def __init__(" + string.Join(", ", parameters) + ")");
            w.Line("super().__init__()");
            foreach (var p in prologue) w.Line(p);
            if (isBlock) w.Line("shape = input_shape");
            else
            {
                w.Line("shape = " + inputShape);
                w.Line("self.input_shape = shape");
            }
            w.Append(init);
            w.Line("self.output_shape = shape");
            w.Close();
            w.Line();
            if (named != null && named.Count > 0)
            {
                OutputsForward(w, forward, aux, named);
                w.Close();
                return w.ToString();
            }
            if (aux.Count > 0)
            {
                w.Open("def forward(self, x)");
                w.Line("return self.forward_with_aux(x)[0]");
                w.Close();
                w.Line();
                w.Open("def forward_with_aux(self, x)");
                w.Line("\"\"\"The main output, then each auxiliary head's (" + string.Join(", ", aux.Select(a => a.Name)) + "; None unless training).\"\"\"");
                foreach (var a in aux) w.Line(a.Local + " = None");
            }
            else w.Open("def forward(self, x)");
            w.Append(forward);
            w.Line(aux.Count > 0 ? "return (x, " + string.Join(", ", aux.Select(a => a.Local)) + ")" : "return x");
            w.Close();
            w.Close();
            return w.ToString();
        }

        /// <summary>The forward of a network with named outputs: <c>forward_with_outputs</c> returns a dict of every output
        /// by name (<c>"output"</c> the main one; auxiliary heads None unless training), <c>forward</c> the main output,
        /// and with auxiliary heads <c>forward_with_aux</c> keeps its tuple.</summary>
        private static void OutputsForward(PyWriter w, PyWriter forward, IReadOnlyList<(string Local, string Name)> aux, IReadOnlyList<(string Local, string Name)> named)
        {
            w.Open("def forward(self, x)");
            w.Line("return self.forward_with_outputs(x)[\"output\"]");
            w.Close();
            w.Line();
            w.Open("def forward_with_outputs(self, x)");
            w.Line("\"\"\"Every output by name: \"output\" (the main one), " + string.Join(", ", named.Select(n => n.Name))
                + (aux.Count > 0 ? ", then the auxiliary heads " + string.Join(", ", aux.Select(a => a.Name)) + " (None unless training)" : "") + ".\"\"\"");
            foreach (var a in aux) w.Line(a.Local + " = None");
            w.Append(forward);
            w.Line("return {\"output\": x" + string.Concat(named.Concat(aux).Select(o => ", " + PyNaming.StringLiteral(o.Name) + ": " + o.Local)) + "}");
            w.Close();
            if (aux.Count == 0) return;
            w.Line();
            w.Open("def forward_with_aux(self, x)");
            w.Line("outputs = self.forward_with_outputs(x)");
            w.Line("return (outputs[\"output\"], " + string.Join(", ", aux.Select(a => "outputs[" + PyNaming.StringLiteral(a.Name) + "]")) + ")");
            w.Close();
        }

        /// <summary>A variant: its network's class with some arguments fixed.</summary>
        public static string VariantClass(string name, string baseName, string doc, IList<string> signature, IList<string> baseArguments)
        {
            var w = new PyWriter();
            w.Open("class " + name + "(" + baseName + ")");
            w.Line("\"\"\"" + PyNaming.Comment(doc) + "\"\"\"");
            w.Line();
            w.Open("def __init__(" + string.Join(", ", new[] { "self" }.Concat(signature)) + ")");
            w.Line("super().__init__(" + string.Join(", ", baseArguments) + ")");
            w.Close();
            w.Close();
            return w.ToString();
        }

        /// <summary>The shape arithmetic and small operations the classes use; the same rules as ArchDsl.Runtime.</summary>
        public const string Prelude = @"import math

import torch
from torch import nn


class _Shape:
    """"""The shape of one sample, [C, H, W] or flat [C], threaded through construction to infer input channels.""""""

    def __init__(self, channels, height=1, width=1, flat=False, channels_last=False):
        self.channels, self.height, self.width, self.flat = channels, height, width, flat
        self.channels_last = channels_last

    def __repr__(self):
        if self.flat:
            return str([self.channels])
        return str([self.height, self.width, self.channels] if self.channels_last else [self.channels, self.height, self.width])

    def elements(self):
        return self.channels if self.flat else self.channels * self.height * self.width

    def with_channels(self, channels):
        return _Shape(channels, self.height, self.width, self.flat)

    def spatial(self, layer):
        if self.flat:
            raise ValueError(layer + "" needs a [C, H, W] input, not the flat "" + repr(self))
        if self.channels_last:
            raise ValueError(layer + "" needs a channels-first input, not the channels-last "" + repr(self))
        return self

    def to_channels_last(self):
        self.spatial(""channels_last"")
        return _Shape(self.channels, self.height, self.width, False, True)

    def to_channels_first(self):
        if not self.channels_last:
            raise ValueError(""channels_first needs a channels-last map, not "" + repr(self))
        return _Shape(self.channels, self.height, self.width)

    def learnable_size(self):
        return (self.channels,) if self.flat or self.channels_last else (self.channels, 1, 1)

    def _sized(self, layer, channels, height, width):
        if height < 1 or width < 1:
            raise ValueError(layer + "" shrinks "" + repr(self) + "" below 1x1"")
        return _Shape(channels, height, width)

    def conv(self, out, kh, kw, sh, sw, ph, pw, dh, dw, groups):
        self.spatial(""conv"")
        if groups < 1 or self.channels % groups != 0 or out % groups != 0:
            raise ValueError(""conv: groups = %d must divide %d and %d"" % (groups, self.channels, out))
        return self._sized(""conv"", out, (self.height + 2 * ph - dh * (kh - 1) - 1) // sh + 1,
                           (self.width + 2 * pw - dw * (kw - 1) - 1) // sw + 1)

    def pool(self, kh, kw, sh, sw, ph, pw, ceil_mode):
        self.spatial(""pooling"")
        return self._sized(""pooling"", self.channels, _pool_out(self.height, kh, sh, ph, ceil_mode),
                           _pool_out(self.width, kw, sw, pw, ceil_mode))

    def adaptive(self, height, width):
        self.spatial(""adaptive pooling"")
        return _Shape(self.channels, height, width)

    def reduce(self):
        self.spatial(""a channel reduction"")
        return _Shape(1, self.height, self.width)

    def upsample(self, fh, fw):
        self.spatial(""up-sampling"")
        if fh < 1 or fw < 1:
            raise ValueError(""up-sampling: a factor must be at least 1, not %d"" % min(fh, fw))
        return _Shape(self.channels, self.height * fh, self.width * fw)

    def resized_to(self, like):
        self.spatial(""up-sampling"")
        like.spatial(""up-sampling"")
        return _Shape(self.channels, like.height, like.width)

    def flatten(self):
        return self if self.flat else _Shape(self.elements(), 1, 1, True)

    def linear(self, out):
        if not self.flat and not self.channels_last:
            raise ValueError(""linear needs a flat or channels-last input, not "" + repr(self))
        return _Shape(out, self.height, self.width, self.flat, self.channels_last)

    @staticmethod
    def concat(parts):
        first = parts[0]
        for p in parts:
            if (p.flat, p.height, p.width) != (first.flat, first.height, first.width):
                raise ValueError(""concat: spatial sizes differ, %r and %r"" % (first, p))
        return first.with_channels(sum(p.channels for p in parts))

    @staticmethod
    def merge(parts, broadcast):
        def fits(a, b):
            return a == b or (broadcast and (a == 1 or b == 1))
        out = parts[0]
        for p in parts[1:]:
            if out.flat != p.flat or out.channels_last != p.channels_last or not (fits(out.channels, p.channels) and fits(out.height, p.height) and fits(out.width, p.width)):
                raise ValueError(""element-wise merge: shapes %r and %r do not match"" % (out, p))
            out = _Shape(max(out.channels, p.channels), max(out.height, p.height), max(out.width, p.width), out.flat, out.channels_last)
        return out


def _pool_out(size, kernel, stride, padding, ceil_mode):
    numerator = size + 2 * padding - (kernel - 1) - 1
    out = (-((-numerator) // stride) if ceil_mode else numerator // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


class _ChildNames:
    """"""Child names in registration order: a given name, or the running index for an unnamed child.""""""

    def __init__(self):
        self._used = set()
        self._count = 0

    def next(self, name=None):
        key = str(self._count) if name is None else name
        if key in self._used:
            raise ValueError(""Two children share the name '%s'"" % key)
        self._used.add(key)
        self._count += 1
        return key


def _make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class _StochasticDepth(nn.Module):
    """"""Drops the whole input per sample with probability p in training, scaling survivors by 1/(1-p).""""""

    def __init__(self, p):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(""A drop probability must lie in [0, 1]"")
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        noise = torch.empty([x.shape[0]] + [1] * (x.dim() - 1), dtype=x.dtype, device=x.device).bernoulli_(survival)
        if survival > 0.0:
            noise.div_(survival)
        return x * noise


class _LayerNorm2d(nn.LayerNorm):
    """"""Layer normalisation over the channels of an [N, C, H, W] map at every position (torchvision's LayerNorm2d).""""""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class _Permute(nn.Module):
    """"""Reorders the dimensions of its input (torchvision's Permute).""""""

    def __init__(self, *dims):
        super().__init__()
        self.dims = list(dims)

    def forward(self, x):
        return torch.permute(x, self.dims)


class _ChannelMean(nn.Module):
    """"""The mean over the channels, kept as one channel: [N, C, H, W] to [N, 1, H, W].""""""

    def forward(self, x):
        return x.mean(dim=1, keepdim=True)


class _ChannelMax(nn.Module):
    """"""The maximum over the channels, kept as one channel: [N, C, H, W] to [N, 1, H, W].""""""

    def forward(self, x):
        return x.amax(dim=1, keepdim=True)


class _Upsample2d(nn.Module):
    """"""Up-sampling by integer factors, nearest or bilinear, as nn.Upsample with a scale factor.""""""

    def __init__(self, mode, factor_h, factor_w, align_corners=False):
        super().__init__()
        if mode not in (""nearest"", ""bilinear""):
            raise ValueError(""unknown up-sampling mode %r (nearest or bilinear)"" % mode)
        self.mode = mode
        self.factor = (float(factor_h), float(factor_w))
        self.align_corners = align_corners if mode == ""bilinear"" else None

    def forward(self, x):
        return nn.functional.interpolate(x, scale_factor=self.factor, mode=self.mode, align_corners=self.align_corners)


def _init_bias(layer, value):
    with torch.no_grad():
        layer.bias.fill_(value)
    return layer


def _zero_pad_channels(x, channels):
    have = x.shape[1]
    if have == channels:
        return x
    if have > channels:
        raise ValueError(""A zero-padded shortcut cannot remove channels (%d to %d)"" % (have, channels))
    pad = list(x.shape)
    pad[1] = channels - have
    return torch.cat([x, x.new_zeros(pad)], 1)


def _require_choice(parameter, value, allowed):
    if value in allowed or (isinstance(value, list) and all(v in allowed for v in value)):
        return
    raise ValueError(""'%s' is %r, not one of the choices %r"" % (parameter, value, allowed))


def _channel_chunk(x, index, count):
    size = x.shape[1] // count
    return x.narrow(1, index * size, size)
";
    }
}

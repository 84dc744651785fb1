#!/usr/bin/env python3
"""Compare a network of the catalogue with a Caffe deploy prototxt, layer by layer.

Reads the prototxt (the authors' published network, e.g. the Residual Attention Network's
imagenet_model/Attention-92-deploy.prototxt), infers every blob's channels and size with Caffe's rules
(pooling rounds up, Interp takes its second input's size), and counts parameters and multiply-accumulates
the way `archdsl summary` does (convolutions and inner products; a BN layer's scale and shift are
parameters, its statistics are not). With --summary it compares the multiset of layers (operation and output
size) with the JSON of `archdsl summary -f json -n NAME`, and exits 1 when they differ.

    /usr/bin/python3 tools/reference/caffe_prototxt.py Attention-92-deploy.prototxt \
        --summary <(archdsl summary architectures/attention.arch -n Attention92 -f json)
"""
import argparse
import collections
import json
import math
import re
import sys


def layers_of(text):
    """The bodies of the prototxt's `layer { ... }` blocks, in order."""
    for m in re.finditer(r'\blayer\s*\{', text):
        i, depth = m.end(), 1
        while depth:
            depth += (text[i] == '{') - (text[i] == '}')
            i += 1
        yield text[m.end():i - 1]


def field(body, key, default=None):
    v = re.findall(r'\b' + key + r':\s*"?([^"\s]+)"?', body)
    return v[0] if v else default


def fields(body, key):
    return re.findall(r'\b' + key + r':\s*"?([^"\s]+)"?', body)


def walk(text):
    dims = [int(d) for d in re.findall(r'input_dim:\s*(\d+)', text)]
    channels, size = {'data': dims[1] if dims else 3}, {'data': dims[2] if dims else 224}
    params = macs = 0
    rows = []
    for body in layers_of(text):
        kind, bottoms, tops = field(body, 'type'), fields(body, 'bottom'), fields(body, 'top')
        c, s = channels[bottoms[0]], size[bottoms[0]]
        out_c, out_s = c, s
        if kind == 'Convolution':
            out_c, k = int(field(body, 'num_output')), int(field(body, 'kernel_size'))
            stride, pad, groups = int(field(body, 'stride', 1)), int(field(body, 'pad', 0)), int(field(body, 'group', 1))
            out_s = (s + 2 * pad - k) // stride + 1
            params += k * k * c // groups * out_c + (out_c if field(body, 'bias_term', 'true') == 'true' else 0)
            macs += k * k * c // groups * out_c * out_s * out_s
            rows.append((f"conv {k}x{k}" + (f"/{stride}" if stride > 1 else "") + f" {c}->{out_c}", out_s))
        elif kind == 'BN':
            params += 2 * c
            rows.append((f"batchnorm {c}", s))
        elif kind == 'InnerProduct':
            out_c, out_s = int(field(body, 'num_output')), 1
            params += c * s * s * out_c + out_c
            macs += c * s * s * out_c
            rows.append((f"linear {c * s * s}->{out_c}", 1))
        elif kind == 'Pooling':
            pool = field(body, 'pool', 'MAX').lower()
            if field(body, 'global_pooling') == 'true' or int(field(body, 'kernel_size', s)) == s and pool == 'ave':
                out_s = 1
            else:
                k, stride, pad = int(field(body, 'kernel_size')), int(field(body, 'stride', 1)), int(field(body, 'pad', 0))
                out_s = int(math.ceil((s + 2 * pad - k) / stride)) + 1  # Caffe rounds up
            rows.append(('maxpool' if pool == 'max' else 'avgpool', out_s))
        elif kind == 'Interp':
            out_s = size[bottoms[1]] if len(bottoms) > 1 else int(field(body, 'height', s))
            rows.append(('upsample', out_s))
        elif kind == 'Eltwise':
            if any(channels[b] != c or size[b] != s for b in bottoms):
                sys.exit(f"{field(body, 'name')}: inputs of different shapes")
        for t in tops:
            channels[t], size[t] = out_c, out_s
    return params, macs, rows


def summary_rows(summary):
    rows = []
    for layer in summary['layers']:
        op, out = layer['operation'].replace(' (shared)', ''), layer['output']
        s = out[1] if len(out) == 3 else 1
        if op.startswith(('conv', 'linear', 'batchnorm')):
            rows.append((op, s))
        elif 'maxpool' in op:
            rows.append(('maxpool', s))
        elif 'avgpool' in op:
            rows.append(('avgpool', s))
        elif 'upsample' in op:
            rows.append(('upsample', s))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('prototxt')
    ap.add_argument('--summary', help='archdsl summary -f json of one network')
    a = ap.parse_args()
    params, macs, rows = walk(open(a.prototxt).read())
    print(f"{a.prototxt}: {params:,} parameters, {macs:,} MACs, {len(rows)} layers")
    if not a.summary:
        return 0
    ours = json.load(open(a.summary))
    ours = ours[0] if isinstance(ours, list) else ours
    print(f"{ours['name']}: {ours['params']:,} parameters, {ours['macs']:,} MACs")
    theirs, mine = collections.Counter(rows), collections.Counter(summary_rows(ours))
    only_theirs, only_mine = theirs - mine, mine - theirs
    for row, n in sorted(only_theirs.items()):
        print(f"  only in the prototxt: {n} x {row[0]} at {row[1]}")
    for row, n in sorted(only_mine.items()):
        print(f"  only in {ours['name']}: {n} x {row[0]} at {row[1]}")
    same = not only_theirs and not only_mine and params == ours['params'] and macs == ours['macs']
    print("the same layers, parameters and MACs" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == '__main__':
    sys.exit(main())

"""TorchSharp's binary weight format, read and written with plain Python.

A file is what TorchSharp's ``Module.save`` writes::

    entries   : LEB128 count
    per entry : key   -- .NET BinaryWriter string: LEB128 byte length, then UTF-8 bytes
                dtype -- LEB128 ScalarType code (libtorch's numbering)
                rank  -- LEB128
                dims  -- LEB128 each
                data  -- the elements' bytes, row-major, little-endian

LEB128 here is unsigned: 7 bits per byte, least significant group first, high bit set on
every byte but the last.
"""

import io
import struct
from collections import OrderedDict

import torch

# torch dtype <-> ScalarType code (c10::ScalarType, which TorchSharp's enum mirrors).
DTYPE_CODES = {
    torch.uint8: 0,
    torch.int8: 1,
    torch.int16: 2,
    torch.int32: 3,
    torch.int64: 4,
    torch.float16: 5,
    torch.float32: 6,
    torch.float64: 7,
    torch.complex64: 9,
    torch.complex128: 10,
    torch.bool: 11,
    torch.bfloat16: 15,
}
CODE_DTYPES = {code: dtype for dtype, code in DTYPE_CODES.items()}

# Reinterpretation used to get at raw bytes of types numpy lacks.
_BYTE_VIEWS = {torch.bfloat16: torch.int16}


def _write_uleb128(out, value):
    if value < 0:
        raise ValueError(f"LEB128 encodes non-negative values only, got {value}")
    while True:
        group = value & 0x7F
        value >>= 7
        if value:
            out.write(bytes([group | 0x80]))
        else:
            out.write(bytes([group]))
            return


def _read_uleb128(inp):
    result = 0
    shift = 0
    while True:
        b = inp.read(1)
        if not b:
            raise EOFError("weight file ends inside a LEB128 number")
        result |= (b[0] & 0x7F) << shift
        if not b[0] & 0x80:
            return result
        shift += 7
        if shift > 63:
            raise ValueError("LEB128 number too long")


def _write_string(out, text):
    data = text.encode("utf-8")
    _write_uleb128(out, len(data))
    out.write(data)


def _read_string(inp):
    length = _read_uleb128(inp)
    data = inp.read(length)
    if len(data) != length:
        raise EOFError("weight file ends inside a key")
    return data.decode("utf-8")


def tensor_bytes(tensor):
    """The tensor's elements as little-endian bytes in row-major order."""
    t = tensor.detach().cpu().contiguous()
    if t.dtype in _BYTE_VIEWS:
        t = t.view(_BYTE_VIEWS[t.dtype])
    if t.dtype not in DTYPE_CODES:
        raise TypeError(f"unsupported dtype {tensor.dtype}")
    array = t.numpy()
    if array.dtype.byteorder == ">":
        array = array.byteswap()
    return array.tobytes()


def write_tensor(out, tensor):
    if tensor.dtype not in DTYPE_CODES:
        raise TypeError(f"unsupported dtype {tensor.dtype}")
    _write_uleb128(out, DTYPE_CODES[tensor.dtype])
    _write_uleb128(out, tensor.dim())
    for d in tensor.shape:
        _write_uleb128(out, int(d))
    out.write(tensor_bytes(tensor))


def read_tensor(inp):
    code = _read_uleb128(inp)
    if code not in CODE_DTYPES:
        raise ValueError(f"unknown ScalarType code {code}")
    dtype = CODE_DTYPES[code]
    rank = _read_uleb128(inp)
    shape = [_read_uleb128(inp) for _ in range(rank)]
    count = 1
    for d in shape:
        count *= d
    size = count * torch.empty((), dtype=dtype).element_size()
    data = inp.read(size)
    if len(data) != size:
        raise EOFError("weight file ends inside a tensor")
    storage_dtype = _BYTE_VIEWS.get(dtype, dtype)
    flat = torch.frombuffer(bytearray(data), dtype=storage_dtype) if size else torch.empty(0, dtype=storage_dtype)
    return flat.view(dtype).reshape(shape).clone()


def write_state_dict(state_dict, target):
    """Writes an ordered mapping of name -> tensor to a path or a binary file object."""
    if isinstance(target, (str, bytes)) or hasattr(target, "__fspath__"):
        with open(target, "wb") as f:
            return write_state_dict(state_dict, f)
    items = list(state_dict.items())
    _write_uleb128(target, len(items))
    for key, value in items:
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{key}: not a tensor ({type(value).__name__})")
        _write_string(target, key)
        write_tensor(target, value)


def read_state_dict(source):
    """Reads a weight file (path or binary file object) into an OrderedDict of tensors."""
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        with open(source, "rb") as f:
            return read_state_dict(f)
    count = _read_uleb128(source)
    result = OrderedDict()
    for _ in range(count):
        key = _read_string(source)
        result[key] = read_tensor(source)
    trailing = source.read(1)
    if trailing:
        raise ValueError("unexpected bytes after the last entry")
    return result


def to_bytes(state_dict):
    buffer = io.BytesIO()
    write_state_dict(state_dict, buffer)
    return buffer.getvalue()

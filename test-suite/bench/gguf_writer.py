"""A small GGUF (version 3) writer: what the benchmark needs to hand llama.cpp the same
Llama weights edgec compiles from ONNX. Written from the format's documentation (ggml's
docs/gguf.md): a header, typed key-value metadata, one info record per tensor, then the
tensor data, each tensor at an offset that is a multiple of the alignment.

All integers are little-endian; strings are a uint64 byte count and UTF-8 bytes; a tensor's
dims go fastest first (a torch [out, in] weight is dims [in, out]).
"""
import struct

import numpy as np

ALIGNMENT = 32

# gguf_type: the metadata value types.
UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64 = 4, 5, 6, 7, 8, 9, 10
# ggml_type: tensor element types (only unquantized ones are written here; llama.cpp's own
# llama-quantize makes its quantized files from the f32 one).
GGML_F32, GGML_F16 = 0, 1


def _string(text):
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def _value(kind, value):
    if kind == STRING:
        return _string(value)
    if kind == UINT32:
        return struct.pack("<I", value)
    if kind == INT32:
        return struct.pack("<i", value)
    if kind == UINT64:
        return struct.pack("<Q", value)
    if kind == FLOAT32:
        return struct.pack("<f", value)
    if kind == BOOL:
        return struct.pack("<B", 1 if value else 0)
    raise ValueError(f"gguf value type {kind} is not written here")


class GGUFWriter:
    """Collects metadata and tensors, then writes them with write(path)."""

    def __init__(self):
        self.metadata = []  # (key, bytes of type + value)
        self.tensors = []   # (name, numpy array)

    def add(self, key, kind, value):
        self.metadata.append((key, struct.pack("<I", kind) + _value(kind, value)))

    def add_array(self, key, kind, values):
        body = b"".join(_value(kind, v) for v in values)
        self.metadata.append((key, struct.pack("<IIQ", ARRAY, kind, len(values)) + body))

    def add_tensor(self, name, array):
        if array.dtype not in (np.float32, np.float16):
            raise ValueError(f"tensor {name}: only f32 and f16 are written, not {array.dtype}")
        self.tensors.append((name, np.ascontiguousarray(array)))

    def write(self, path):
        infos, offset = [], 0
        for name, array in self.tensors:
            offset = (offset + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
            dims = list(reversed(array.shape))  # fastest first
            kind = GGML_F32 if array.dtype == np.float32 else GGML_F16
            infos.append(_string(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims) +
                         struct.pack("<IQ", kind, offset))
            offset += array.nbytes
        with open(path, "wb") as out:
            out.write(b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.metadata)))
            for key, value in self.metadata:
                out.write(_string(key) + value)
            for info in infos:
                out.write(info)
            out.write(b"\0" * (-out.tell() % ALIGNMENT))
            start = out.tell()
            for name, array in self.tensors:
                out.write(b"\0" * (-(out.tell() - start) % ALIGNMENT))
                out.write(array.tobytes())

#!/usr/bin/env python3
"""Writes the safetensors fixture the AssayNN tests read.

Requires: pip install safetensors numpy (torch is not needed).

The tensors use torchvision-style names and several dtypes, with values that
are exact in every dtype (small integers and halves) so the Swift test can
assert them exactly:

  features.0.weight  F32  [2, 1, 3, 3]  values 0.5 * (i - 9)
  features.0.bias    F32  [2]           [0.25, -0.75]
  bn.running_mean    F64  [3]           [1.5, -2.0, 0.125]
  bn.num_batches_tracked  I64 []        7
  head.weight        F16  [2, 2]        [[1.0, -0.5], [2.0, 0.0]]
  head.bias          BF16 [2]           [3.0, -1.25]

Usage: scripts/make_safetensors_fixture.py [output path]
"""
import sys

import numpy as np
from safetensors.numpy import save_file


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/AssayNNTests/Fixtures/python_written.safetensors"
    tensors = {
        "features.0.weight": (0.5 * (np.arange(18, dtype=np.float32) - 9)).reshape(2, 1, 3, 3),
        "features.0.bias": np.array([0.25, -0.75], dtype=np.float32),
        "bn.running_mean": np.array([1.5, -2.0, 0.125], dtype=np.float64),
        "bn.num_batches_tracked": np.array(7, dtype=np.int64),
        "head.weight": np.array([[1.0, -0.5], [2.0, 0.0]], dtype=np.float16),
    }
    # numpy has no bfloat16: write float32 and keep the upper 16 bits (exact for these values).
    bf16_source = np.array([3.0, -1.25], dtype=np.float32)
    tensors["head.bias"] = (bf16_source.view(np.uint32) >> 16).astype(np.uint16)
    save_file(tensors, out, metadata={"format": "pt", "writer": "make_safetensors_fixture.py"})

    # safetensors.numpy cannot tag uint16 as BF16, so patch the dtype in the header.
    with open(out, "rb") as handle:
        blob = bytearray(handle.read())
    length = int.from_bytes(blob[:8], "little")
    header = blob[8:8 + length].decode("utf-8")
    marker = '"head.bias":{"dtype":"U16"'
    assert marker in header, header
    patched = header.rstrip(" ").replace(marker, '"head.bias":{"dtype":"BF16"')
    patched += " " * (-len(patched) % 8)  # the format pads the header to 8 bytes
    data = blob[8 + length:]
    with open(out, "wb") as handle:
        handle.write(len(patched).to_bytes(8, "little") + patched.encode("utf-8") + bytes(data))
    # Check the result with the reference reader (it rejects inconsistent headers).
    from safetensors import safe_open
    with safe_open(out, framework="numpy") as check:
        assert sorted(check.keys()) == sorted(tensors.keys())
    print(out)


if __name__ == "__main__":
    main()

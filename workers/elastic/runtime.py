"""How the enrichment models run: device, number format and CPU threads.

Measured on a 2-core AMD EPYC (AVX512-BF16), MiniLM-L6 on batches of 64 short mentions, one thread: bfloat16
autocast runs a forward pass 1.8x faster than float32 with the same dev scores to 3 decimals (sentiment macro
recall 0.706, emotion macro-F1 0.743). Not taken: int8 dynamic quantization, 2.7x faster but emotion macro-F1
-0.031 (-0.015 per channel) and a different keyword set for a third of texts; ONNX Runtime in float32, 1.2x
on one thread and 1.0x on two. A CPU without native bfloat16 would emulate it, slower than float32, so
`auto` picks it only where the CPU has the instructions (and never on CUDA, not measured here).
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Literal

import torch

Precision = Literal["auto", "float32", "bfloat16"]


def device(setting: Literal["auto", "cpu", "cuda"]) -> torch.device:
    """The torch device for `settings.enrich_device` (`auto`: CUDA when present)."""
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(setting)


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # private, so looked up defensively
    return any(getattr(torch.cpu, check, lambda: False)() for check in checks)


def autocast_dtype(on: torch.device, precision: Precision = "auto") -> torch.dtype | None:
    """The dtype to autocast a forward pass to, or None to run it in float32."""
    if precision == "float32" or (precision == "auto" and (on.type != "cpu" or not native_bfloat16())):
        return None
    return torch.bfloat16


@contextmanager
def inference(on: torch.device, dtype: torch.dtype | None) -> Iterator[None]:
    """`torch.inference_mode()`, autocast to `dtype` when one is given."""
    autocast: AbstractContextManager[object] = (
        nullcontext() if dtype is None else torch.autocast(on.type, dtype=dtype)
    )
    with torch.inference_mode(), autocast:
        yield


def model_threads(enrich_threads: int) -> tuple[int, int]:
    """(models run side by side, torch threads each) for `settings.enrich_threads` CPU threads in all.

    On 2 cores, full enrichment in bfloat16 ran 171 mentions/s with the classifier and the keyword model side
    by side on one thread each, 119 with one model at a time on two threads. A one-thread forward pass also
    never waits at a barrier for a thread that another process took off the CPU, which on this shared
    machine made two-thread passes up to 10x slower.
    """
    side_by_side = min(2, enrich_threads)
    return side_by_side, max(1, enrich_threads // side_by_side)

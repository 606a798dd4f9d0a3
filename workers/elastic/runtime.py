"""How the enrichment models run: device, number format and CPU threads.

`enrich_precision` `auto` runs bfloat16 autocast where the CPU multiplies it natively, float32 elsewhere.
- bfloat16, measured on a 2-core AMD EPYC with AVX512-BF16, MiniLM-L6 on batches of 64 short mentions, one
  thread: a forward pass 1.8x faster than float32, dev scores the same to 3 decimals (sentiment macro recall
  0.706, emotion macro-F1 0.743). A CPU without it would emulate bfloat16, slower than float32. The linear
  layers' weights are stored in bfloat16 (`cast_linear`), and the rest in float32 for autocast.
- int8, only when asked: dynamic quantization of the linear layers, weights per output channel. On a 2-core
  AMD EPYC with AVX2 only, one thread, TweetEval tweets: the classifier 73 -> 111 texts/s, sentiment macro
  recall 0.706 -> 0.701, emotion macro-F1 0.743 -> 0.740; full enrichment 65 -> 88 mentions/s. But each
  forward pass quantizes its activations with one scale for the whole batch, so a text's result depends on
  the texts batched with it: the same 512 tweets batched in another order changed 17 sentiment and 28
  emotion labels and the keyword set of 155 (float32: none). Not a default for that reason.
Not taken: ONNX Runtime in float32, 1.2x on one thread and 1.0x on two.
"""

import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Literal

import torch
from torch.ao import quantization

Precision = Literal["auto", "float32", "bfloat16", "int8"]


def device(setting: Literal["auto", "cpu", "cuda"]) -> torch.device:
    """The torch device for `settings.enrich_device` (`auto`: CUDA when present)."""
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(setting)


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # private, so looked up defensively
    return any(getattr(torch.cpu, check, lambda: False)() for check in checks)


def resolve(on: torch.device, precision: Precision = "auto") -> Precision:
    """The precision `auto` stands for on this device (see the module doc); others as given."""
    if precision != "auto":
        return precision
    return "bfloat16" if on.type == "cpu" and native_bfloat16() else "float32"


def prepare(model: torch.nn.Module, on: torch.device, precision: Precision = "auto") -> torch.dtype | None:
    """Ready `model` (already on `on`) to run at `precision`; returns the dtype to autocast to, or None.

    int8 replaces its linear layers in place by dynamically quantized ones (CPU only: ValueError on CUDA).
    """
    chosen = resolve(on, precision)
    if chosen == "int8":
        if on.type != "cpu":
            raise ValueError(f"enrich_precision int8 runs on the CPU only, not on {on.type}")
        with warnings.catch_warnings():  # torch.ao's eager quantization is deprecated in favour of torchao
            warnings.filterwarnings("ignore", message=".*deprecated")
            quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                model, {torch.nn.Linear: quantization.per_channel_dynamic_qconfig}, inplace=True
            )
    if chosen != "bfloat16":
        return None
    cast_linear(model, torch.bfloat16)
    return torch.bfloat16


def cast_linear(model: torch.nn.Module, dtype: torch.dtype) -> None:
    """Store the weights of `model`'s linear layers in `dtype`, the type autocast multiplies them in.

    Autocast casts a float32 weight at every call: for MiniLM in bfloat16 that was 12% of full enrichment
    (172 -> 191 mentions/s batched, 34 -> 39 one at a time, 2 cores), with the very same outputs, since
    the cast is the one autocast made. Every forward pass must then run inside `inference(.., dtype)`.
    """
    for layer in model.modules():
        if isinstance(layer, torch.nn.Linear):
            layer.to(dtype)


def suffix(precision: Precision) -> str:
    """What a model version adds for a resolved precision: `+int8`, `+bfloat16`, nothing for float32."""
    return "" if precision == "float32" else f"+{precision}"


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

import pytest
import torch
from torch.ao.nn.quantized import dynamic as quantized

from workers.elastic import runtime
from workers.elastic.runtime import inference, model_threads, prepare, resolve


@pytest.mark.parametrize(("threads", "expected"), [(1, (1, 1)), (2, (2, 1)), (3, (2, 1)), (8, (2, 4))])
def test_threads_are_shared_by_two_models_side_by_side(threads: int, expected: tuple[int, int]) -> None:
    assert model_threads(threads) == expected


@pytest.mark.parametrize(("native", "expected"), [(True, "bfloat16"), (False, "float32")])
def test_auto_precision_follows_the_cpu(monkeypatch: pytest.MonkeyPatch, native: bool, expected: str) -> None:
    monkeypatch.setattr(runtime, "native_bfloat16", lambda: native)
    assert resolve(torch.device("cpu")) == expected
    assert resolve(torch.device("cuda")) == "float32"
    assert resolve(torch.device("cpu"), "int8") == "int8"


def test_int8_quantizes_the_linear_layers_in_place() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 8))
    inputs = torch.randn(16, 64)
    expected = model(inputs).detach()
    assert prepare(model, torch.device("cpu"), "int8") is None
    assert all(isinstance(layer, quantized.Linear) for layer in (model[0], model[2]))
    assert torch.allclose(model(inputs), expected, atol=0.05)


def test_bfloat16_stores_the_linear_weights_as_autocast_would_cast_them() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.LayerNorm(64), torch.nn.Linear(64, 8))
    inputs = torch.randn(16, 64)
    with inference(torch.device("cpu"), torch.bfloat16):
        expected = model(inputs)
    assert prepare(model, torch.device("cpu"), "bfloat16") is torch.bfloat16
    bf16, f32 = torch.bfloat16, torch.float32  # weight and bias of Linear, LayerNorm, Linear
    assert [p.dtype for p in model.parameters()] == [bf16, bf16, f32, f32, bf16, bf16]
    with inference(torch.device("cpu"), torch.bfloat16):
        assert torch.equal(model(inputs), expected)


def test_float32_keeps_the_weights() -> None:
    model = torch.nn.Linear(4, 4)
    assert prepare(model, torch.device("cpu"), "float32") is None
    assert type(model) is torch.nn.Linear
    assert model.weight.dtype is torch.float32
    with pytest.raises(ValueError, match="CPU only"):
        prepare(model, torch.device("cuda"), "int8")


def test_inference_autocasts_only_when_asked() -> None:
    weights = torch.ones(4, 4)
    with inference(torch.device("cpu"), torch.bfloat16):
        assert (weights @ weights).dtype is torch.bfloat16
    with inference(torch.device("cpu"), None):
        assert (weights @ weights).dtype is torch.float32
        assert torch.is_inference_mode_enabled()

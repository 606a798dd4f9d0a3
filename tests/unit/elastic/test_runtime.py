import pytest
import torch

from workers.elastic.runtime import autocast_dtype, inference, model_threads


@pytest.mark.parametrize(("threads", "expected"), [(1, (1, 1)), (2, (2, 1)), (3, (2, 1)), (8, (2, 4))])
def test_threads_are_shared_by_two_models_side_by_side(threads: int, expected: tuple[int, int]) -> None:
    assert model_threads(threads) == expected


def test_precision_can_be_forced() -> None:
    cpu = torch.device("cpu")
    assert autocast_dtype(cpu, "float32") is None
    assert autocast_dtype(cpu, "bfloat16") is torch.bfloat16
    assert autocast_dtype(torch.device("cuda"), "auto") is None


def test_inference_autocasts_only_when_asked() -> None:
    weights = torch.ones(4, 4)
    with inference(torch.device("cpu"), torch.bfloat16):
        assert (weights @ weights).dtype is torch.bfloat16
    with inference(torch.device("cpu"), None):
        assert (weights @ weights).dtype is torch.float32
        assert torch.is_inference_mode_enabled()

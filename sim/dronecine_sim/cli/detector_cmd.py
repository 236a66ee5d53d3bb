"""``dronecine detector dataset|train``: render a labelled dataset, train the person detector on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from dronecine.cli.errors import report_user_errors
from dronecine_sim.detector import DatasetSettings, make_dataset
from dronecine_sim.detector.scenes import MIN_BOX_HEIGHT_PX
from dronecine_sim.detector.train import DEFAULT_ARCHITECTURE, DetectorTrainSettings, train_detector

detector_app = typer.Typer(help="Make the bundled person detector: a rendered dataset, then YOLO training.")


@detector_app.command("dataset")
@report_user_errors
def dataset_command(
    out: Annotated[Path, typer.Option("--out", help="A new directory for the dataset.")],
    train: Annotated[int, typer.Option("--train", min=1, help="Training frames.")] = 3000,
    val: Annotated[int, typer.Option("--val", min=1, help="Validation frames (a separate seeded stream).")] = 400,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Makes the same dataset byte for byte.")] = 0,
    width: Annotated[int, typer.Option("--width", min=64, help="Frame width (px).")] = 640,
    height: Annotated[int, typer.Option("--height", min=64, help="Frame height (px).")] = 360,
    hfov: Annotated[float, typer.Option("--hfov", min=10.0, max=150.0, help="Horizontal field of view (deg).")] = 84.0,
    min_box_px: Annotated[
        float, typer.Option("--min-box-px", min=1.0, help="People shorter than this on the frame are not labelled.")
    ] = MIN_BOX_HEIGHT_PX,
) -> None:
    """Render frames of people seen by a drone (every range, angle, light and occlusion) with YOLO labels."""
    settings = DatasetSettings(out, train, val, width, height, hfov, seed, min_box_height_px=min_box_px)
    console = Console(stderr=True)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("rendering", total=train + val)
        summary = make_dataset(settings, on_frame=lambda: progress.advance(task))
    typer.echo(
        f"{summary.frames['train']} train frames ({summary.boxes['train']} people), "
        f"{summary.frames['val']} val frames ({summary.boxes['val']} people) in {summary.wall_s:.0f} s"
    )
    typer.echo(f"dataset: {summary.data_yaml}")


@detector_app.command("train")
@report_user_errors
def train_command(
    data: Annotated[Path, typer.Option("--data", help="The dataset's data.yaml.")],
    out: Annotated[Path, typer.Option("--out", help="Where detector.pt and the training logs go.")],
    model: Annotated[
        str, typer.Option("--model", help="An architecture to train from scratch, or a .pt to fine-tune.")
    ] = DEFAULT_ARCHITECTURE,
    imgsz: Annotated[int, typer.Option("--imgsz", help="Training image size (px, a multiple of 32).")] = 320,
    minutes: Annotated[float, typer.Option("--minutes", help="Wall-clock budget; the schedule fits it.")] = 60.0,
    batch: Annotated[int, typer.Option("--batch", min=1)] = 32,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 0,
) -> None:
    """Train a nano YOLO person detector on a rendered dataset, offline, seeded, within a time budget."""
    settings = DetectorTrainSettings(data, out, model, imgsz, minutes, batch, seed)
    result = train_detector(settings)
    typer.echo(
        f"{result.epochs} epochs in {result.wall_s / 60:.1f} min: mAP50 {result.map50:.3f}, "
        f"mAP50-95 {result.map50_95:.3f} on the validation frames"
    )
    typer.echo(f"weights: {result.weights}")

"""``vsumbench macs``: feature-extraction and score-prediction MACs per video (Table 3).

Only click at import time; torch is imported when the command runs.
"""

from __future__ import annotations

import click

from vsumbench.cli import data_dir_option, dataset_option


@click.command()
@click.argument("model")
@dataset_option
@click.option(
    "--convention",
    type=click.Choice(["paper", "exact"]),
    default="paper",
    show_default=True,
    help="paper = Table 3's convention (thop per-module rules, functional matmuls not "
    "counted, G = 2^30); exact = every multiply-accumulate incl. attention matmuls "
    "(FLOPs/2, G = 1e9).",
)
@data_dir_option
@click.option("--per-video", is_flag=True, help="Also list every video's n_steps and MACs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def macs(
    model: str,
    dataset: str,
    convention: str,
    data_dir: str | None,
    per_video: bool,
    as_json: bool,
) -> None:
    """FE and SP giga-MACs per video of MODEL, averaged over ALL videos of the dataset.

    n_steps = ceil(n_frames / 15) per video (built-in real frame counts, or the n_frames of
    --data-dir's file); FE = n_steps x GoogLeNet on one 3x224x224 frame; SP = the
    summarizer scoring n_steps 1024-D features. Models run on the meta device, so
    counting is instant and needs no weights.

    \b
    Example (Table 3 of the CSTA paper: 413.03 / 9.78):
      vsumbench macs csta --dataset summe
    """
    import json

    import torch

    from vsumbench.models.macs import dataset_frame_counts, dataset_macs

    torch.set_num_threads(1)
    dataset = dataset.lower()
    counts, source = dataset_frame_counts(dataset, data_dir)
    result = dataset_macs(
        model, dataset, convention=convention, frame_counts=counts, frame_source=source
    )
    if as_json:
        click.echo(json.dumps(result.to_json(per_video=per_video), indent=2))
        return
    click.echo(f"{model} on {dataset}: {len(result.per_video)} videos ({source})")
    click.echo(f"convention: {convention}; unit: {result.unit}")
    click.echo(f"mean n_steps: {result.mean_n_steps:.2f}; SP parameters: {result.params:,}")
    click.echo(f"FE (GoogLeNet features): {result.fe_gmacs:.2f} G")
    click.echo(f"SP (score prediction):   {result.sp_gmacs:.2f} G")
    if result.uncounted:
        click.echo(
            "leaf modules without a counting rule (0 MACs, as in thop): "
            + ", ".join(result.uncounted)
        )
    if per_video:
        for v in result.per_video:
            click.echo(
                f"  {v.key}: n_frames {v.n_frames}, n_steps {v.n_steps}, "
                f"FE {v.fe / result.divisor:.2f} G, SP {v.sp / result.divisor:.4f} G"
            )

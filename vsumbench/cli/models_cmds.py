"""``vsumbench models``: list every registered summarizer (built-ins and plugins)."""

from __future__ import annotations

import json

import click


def _fmt(value: float) -> str:
    return f"{value:g}"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def models(as_json: bool) -> None:
    """List registered summarizers with their source, description and training recipe
    (learning rate, weight decay, epochs, loss, videos per optimiser step, gradient clipping,
    seed, the authors' epoch selection used by `--selection official`, whether a CNN backbone
    is initialised by --backbone-init); --json adds the model options (keyword arguments of the factory, set
    with `vsumbench run --model-arg`). Third-party plugins appear here once installed
    (entry-point group `vsumbench.summarizers`)."""
    from vsumbench.models.registry import get_spec, list_summarizers

    rows = []
    for name in list_summarizers():
        spec = get_spec(name)
        rows.append(
            {
                "name": name,
                "source": spec.source,
                "description": spec.description,
                "defaults": {k: v for k, v in spec.defaults.items() if _jsonable(v)},
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from tabulate import tabulate

    table = [
        [
            r["name"],
            _fmt(r["defaults"]["lr"]),
            _fmt(r["defaults"]["weight_decay"]),
            r["defaults"]["epochs"] if r["defaults"]["trainable"] else "-",
            r["defaults"]["loss"] if r["defaults"]["trainable"] else "-",
            r["defaults"]["batch"],
            "-" if r["defaults"]["clip"] is None else _fmt(r["defaults"]["clip"]),
            r["defaults"]["seed"],
            r["defaults"]["selection"],
            "yes" if r["defaults"]["uses_backbone"] else "no",
            r["source"],
            r["description"],
        ]
        for r in rows
    ]
    click.echo(
        tabulate(
            table,
            headers=[
                "name",
                "lr",
                "wd",
                "epochs",
                "loss",
                "batch",
                "clip",
                "seed",
                "selection",
                "backbone",
                "source",
                "description",
            ],  # fmt: skip
        )
    )


def _jsonable(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))

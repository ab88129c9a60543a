"""``vsumbench models``: list every registered summarizer (built-ins and plugins)."""

from __future__ import annotations

import json

import click


def _fmt(value: float) -> str:
    return f"{value:g}"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def models(as_json: bool) -> None:
    """List registered summarizers with their source, description and training defaults
    (learning rate, weight decay, epochs, loss, whether a CNN backbone is initialised by
    --backbone-init); --json adds the model options (keyword arguments of the factory, set
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
            "yes" if r["defaults"]["uses_backbone"] else "no",
            r["source"],
            r["description"],
        ]
        for r in rows
    ]
    click.echo(
        tabulate(
            table,
            headers=["name", "lr", "wd", "epochs", "loss", "backbone", "source", "description"],
        )
    )


def _jsonable(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))

"""``--log tensorboard|mlflow|wandb``: each fold's training, where its trackers' users look.

One tracker run per fold, named ``<dataset>/<model>/<selection>-<init>/seed<S>/fold<k>``.
Every epoch logs ``loss`` and its metrics (``test/kendall``, ``val/f1``, ...) at step =
epoch; each fold logs its configuration as parameters at the start and its final result
(``final/kendall``, ``final/chosen_epoch``, ...) at the end. The logs live in the result store:

* TensorBoard: ``<results>/tensorboard/<run>/`` event files (``tensorboard --logdir``);
* MLflow: a local file store, ``<results>/mlruns`` (experiment ``vsumbench``; MLflow 3 keeps
  file stores in maintenance and needs ``MLFLOW_ALLOW_FILE_STORE=true``, which vsumbench
  sets for it), unless ``MLFLOW_TRACKING_URI`` says otherwise;
* Weights & Biases: offline runs under ``<results>/wandb`` unless the user configured W&B
  (``WANDB_MODE`` or ``WANDB_API_KEY``); ``wandb sync`` uploads them later.

Each needs its package (the ``track`` extra); a missing one is one clear line before any work.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vsumbench.errors import ConfigError

__all__ = ["TRACKERS", "FoldTrackers", "check_trackers"]

TRACKERS = ("tensorboard", "mlflow", "wandb")
_MODULES = {"tensorboard": "tensorboard", "mlflow": "mlflow", "wandb": "wandb"}


def check_trackers(names: Sequence[str]) -> tuple[str, ...]:
    """The requested trackers, each known and importable (else one line saying what to install)."""
    import importlib.util

    out = []
    for name in names:
        if name not in TRACKERS:
            raise ConfigError(f"unknown tracker {name!r}; expected one of {', '.join(TRACKERS)}")
        if importlib.util.find_spec(_MODULES[name]) is None:
            raise ConfigError(f'--log {name} needs the {name} package: pip install -e ".[track]"')
        out.append(name)
    return tuple(dict.fromkeys(out))


def _scalars(record: Mapping[str, Any]) -> dict[str, float]:
    """``test_kendall`` -> ``test/kendall``; numbers only, NaN and None left out."""
    out = {}
    for key, value in record.items():
        if key == "epoch" or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not math.isfinite(float(value)):
            continue
        split, _, metric = key.partition("_")
        out[f"{split}/{metric}" if split in ("test", "val") and metric else key] = float(value)
    return out


class FoldTrackers:
    """The open tracker runs of one fold."""

    def __init__(self, names: Sequence[str], results: str | os.PathLike, run: str,
                 params: Mapping[str, Any]) -> None:  # fmt: skip
        self.names, self.root, self.run = tuple(names), Path(results), run
        self._open: dict[str, Any] = {}
        params = {k: (v if isinstance(v, (int, float, str, bool)) else str(v))
                  for k, v in params.items()}  # fmt: skip
        for name in self.names:
            self._open[name] = getattr(self, f"_open_{name}")(params)

    def _open_tensorboard(self, params: Mapping[str, Any]) -> Any:
        from torch.utils.tensorboard import SummaryWriter

        writer = SummaryWriter(log_dir=str(self.root / "tensorboard" / self.run))
        writer.add_text("config", "\n".join(f"{k}: {v}" for k, v in sorted(params.items())))
        return writer

    def _open_mlflow(self, params: Mapping[str, Any]) -> Any:
        import mlflow

        if not os.environ.get("MLFLOW_TRACKING_URI"):
            # A local file store needs no database server; MLflow 3 keeps it in maintenance
            # and asks for this flag to use it.
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
            mlflow.set_tracking_uri((self.root / "mlruns").resolve().as_uri())
        mlflow.set_experiment("vsumbench")
        run = mlflow.start_run(run_name=self.run)
        mlflow.log_params({k: str(v)[:500] for k, v in params.items()})
        return run

    def _open_wandb(self, params: Mapping[str, Any]) -> Any:
        import wandb

        configured = os.environ.get("WANDB_MODE") or os.environ.get("WANDB_API_KEY")
        (self.root / "wandb").mkdir(parents=True, exist_ok=True)
        return wandb.init(project="vsumbench", name=self.run, config=dict(params),
                          dir=str(self.root), mode=None if configured else "offline",
                          reinit="finish_previous")  # fmt: skip

    def epoch(self, record: Mapping[str, Any]) -> None:
        step, values = int(record["epoch"]), _scalars(record)
        for name, handle in self._open.items():
            if name == "tensorboard":
                for key, value in values.items():
                    handle.add_scalar(key, value, step)
            elif name == "mlflow":
                import mlflow

                mlflow.log_metrics({k.replace("/", "_"): v for k, v in values.items()}, step=step)
            else:
                handle.log(values, step=step)

    def finish(self, result: Any) -> None:
        """The fold's final numbers (``final/...``), then every run closed."""
        final = {
            f"final/{m}": result.metric(m) for m in ("kendall", "spearman", "f1", "map50", "map15")
        }
        final = {k: v for k, v in final.items() if v is not None}
        final["final/chosen_epoch"] = float(result.chosen_epoch)
        self._final(final, int(result.chosen_epoch))
        self.close()

    def _final(self, final: Mapping[str, float], step: int) -> None:
        for name, handle in self._open.items():
            if name == "tensorboard":
                for key, value in final.items():
                    handle.add_scalar(key, value, step)
            elif name == "mlflow":
                import mlflow

                mlflow.log_metrics({k.replace("/", "_"): v for k, v in final.items()})
            else:
                handle.summary.update(dict(final))

    def close(self) -> None:
        for name, handle in list(self._open.items()):
            if name == "tensorboard":
                handle.close()
            elif name == "mlflow":
                import mlflow

                mlflow.end_run()
            else:
                handle.finish()
            del self._open[name]

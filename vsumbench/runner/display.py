"""What watches a fold's epochs: its progress bar and its experiment trackers
(`vsumbench.runner.trackers`), fed one epoch record at a time."""

from __future__ import annotations

from typing import Any

__all__ = ["EpochDisplay", "open_trackers"]


def open_trackers(config: Any, plan: Any) -> Any:
    """The fold's tracker runs (``--log``), or None."""
    if not getattr(config, "log", ()):
        return None
    from vsumbench.runner.store import run_label
    from vsumbench.runner.trackers import FoldTrackers

    label = run_label(plan.selection, plan.init, "", plan.setting)
    name = f"{plan.dataset}/{plan.model}/{label}/seed{plan.seed}/fold{plan.index}"
    params = {k: v for k, v in plan.signature().items() if not k.endswith("_keys")}
    params.update({f"model_args.{k}": v for k, v in plan.model_args.items()})
    return FoldTrackers(config.log, config.results, name, params)


class EpochDisplay:
    """The epoch bar (under a run's fold bar) and the trackers of one fold."""

    def __init__(self, bar: Any, config: Any, plan: Any, epochs: int, start: int,
                 trackers: Any = None) -> None:  # fmt: skip
        self.trackers = trackers
        self.bar = None
        if bar is not None:
            from vsumbench.progress import progress_bar

            self.bar = progress_bar(total=epochs, initial=start - 1, unit="epoch", leave=False,
                                    desc=f"seed {plan.seed} fold {plan.index}",
                                    disable=not config.progress)  # fmt: skip

    def epoch(self, loss: float, record: dict[str, Any], selector: Any) -> None:
        if self.trackers is not None:
            self.trackers.epoch(record)
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}", tau=f"{record['test_kendall']:.3f}",
                                 rho=f"{record['test_spearman']:.3f}", best=selector.best_epoch)  # fmt: skip

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

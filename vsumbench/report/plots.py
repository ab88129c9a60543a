"""Figures: accuracy-vs-cost trade-off, one video's scores and summary, training curves.

matplotlib with the Agg backend (no display needed). Every figure is written as PNG and
PDF side by side, each atomically, so a crashed plot never leaves a half-written file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vsumbench.errors import DataError
from vsumbench.runner.result import RunResult


def _dataset_labels() -> dict[str, str]:
    """Benchmark dataset -> its label (one panel each)."""
    from vsumbench.datasets import benchmark_datasets

    return {s.name: s.label for s in benchmark_datasets("table1")}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, out: str | Path, formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """Save ``fig`` as ``<out>.png`` and ``<out>.pdf`` (or ``formats``; atomically) and close
    it."""
    from vsumbench.atomic import atomic_path

    base = Path(out)
    if base.suffix.lower() in (".png", ".pdf", ".svg"):
        base = base.with_suffix("")
    written = []
    for fmt in formats:
        path = base.with_name(base.name + f".{fmt}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight")
        written.append(path)
    _pyplot().close(fig)
    return written


# --------------------------------------------------------------------------- trade-off
def tradeoff_points(
    table1_rows: Sequence[Mapping[str, Any]],
    table3_rows: Sequence[Mapping[str, Any]],
    measured_sp: Mapping[str, Mapping[str, float]],
) -> list[dict[str, Any]]:
    """Points (label, source, dataset, sp_gmacs, kendall) for the trade-off plot.

    Reported: methods in both the paper's Table 3 (SP MACs) and Table 1 (tau). Measured:
    every measured Table-1 row whose model has counted SP MACs (``measured_sp[model][ds]``);
    its source is ``measured`` on real data, ``synthetic`` on synthetic data (its own marker
    and legend entry: its tau is not on the paper's scale).
    """
    reported_tau = {r["method"]: r for r in table1_rows if r.get("source") == "reported"}
    points = []
    for row in table3_rows:
        if row.get("source") != "reported" or row["method"] not in reported_tau:
            continue
        for ds in _dataset_labels():
            tau, sp = reported_tau[row["method"]].get(f"{ds}_kendall"), row.get(f"{ds}_sp_gmacs")
            if tau is not None and sp is not None:
                points.append(
                    {
                        "label": row["method"],
                        "source": "reported",
                        "dataset": ds,
                        "sp_gmacs": sp,
                        "kendall": tau,
                    }
                )
    for row in table1_rows:
        if row.get("source") != "measured":
            continue
        for ds in _dataset_labels():
            tau, sp = row.get(f"{ds}_kendall"), measured_sp.get(row["model"], {}).get(ds)
            if tau is not None and sp is not None:
                label = f"{row['model']} ({row['selection']}-{row['backbone_init']}, {row['data']})"
                synthetic = "synthetic" in str(row.get("data", ""))
                points.append(
                    {
                        "label": label,
                        "source": "synthetic" if synthetic else "measured",
                        "dataset": ds,
                        "sp_gmacs": sp,
                        "kendall": tau,
                        "kendall_std": row.get(f"{ds}_kendall_std"),
                    }
                )
    return points


def plot_tradeoff(points: Sequence[Mapping[str, Any]], out: str | Path) -> list[Path]:
    """SP GMACs (log x) against Kendall's tau, one panel per dataset."""
    plt = _pyplot()
    if not points:
        raise DataError("nothing to plot: no method has both a tau and SP MACs")
    hidden = sorted({p["label"] for p in points if not p["sp_gmacs"] > 0})
    points = [p for p in points if p["sp_gmacs"] > 0]  # a log axis cannot show 0 MACs
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    styles = {
        "reported": dict(marker="o", color="0.45", label="reported (paper, real data)"),
        "measured": dict(
            marker="^", color="tab:red", label="measured on real data (bar: std over seeds)"
        ),
        "synthetic": dict(
            marker="s",
            color="tab:purple",
            mfc="none",
            label="measured on SYNTHETIC data (not comparable with the paper's tau)",
        ),
    }
    labels = _dataset_labels()
    for ax, ds in zip(axes, labels, strict=True):
        for source, style in styles.items():
            pts = [p for p in points if p["dataset"] == ds and p["source"] == source]
            if not pts:
                continue
            x = [p["sp_gmacs"] for p in pts]
            y = [p["kendall"] for p in pts]
            yerr = [p.get("kendall_std") or 0.0 for p in pts]
            ax.errorbar(
                x,
                y,
                yerr=yerr if any(yerr) else None,
                linestyle="none",
                markersize=7,
                capsize=3,
                **style,
            )
            for p in pts:
                ax.annotate(
                    p["label"],
                    (p["sp_gmacs"], p["kendall"]),
                    textcoords="offset points",
                    xytext=(5, 4),
                    fontsize=7,
                    color=style["color"],
                )
        ax.set_xscale("log")
        ax.set_xlabel("score-prediction GMACs per video (G = 2^30, paper convention)")
        ax.set_ylabel("Kendall's tau")
        ax.set_title(labels[ds])
        ax.grid(True, which="major", alpha=0.3)
        ax.margins(x=0.25, y=0.15)
    legend: dict[str, Any] = {}  # every kind of point shown, from either panel
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(text, handle)
    fig.legend(
        list(legend.values()),
        list(legend),
        loc="lower center",
        ncol=min(3, max(1, len(legend))),
        frameon=False,
        bbox_to_anchor=(0.5, -0.06),
    )
    fig.suptitle("Accuracy vs. score-prediction cost (upper left is better)")
    if hidden:
        fig.text(0.5, -0.1, "not shown (0 MACs): " + ", ".join(hidden), ha="center", fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out)


# --------------------------------------------------------------------------- run dirs
def read_run(run_dir: str | Path) -> RunResult:
    """A fold directory's result; a clear error when it is not a fold directory."""
    path = Path(run_dir) / "result.json"
    if not path.is_file():
        raise DataError(
            "no result.json here: --run must be a fold directory "
            "(results/<dataset>/<model>/<selection>-<init>/seed<S>/fold<k>)",
            file=path,
        )
    return RunResult.read(path)


def plot_training(
    result: RunResult, out: str | Path, formats: Sequence[str] = ("png", "pdf")
) -> list[Path]:
    """Training loss and test (and validation) metrics per epoch (tau/rho, or Mr.HiSum's F1
    and mAP), chosen epoch marked."""
    plt = _pyplot()
    epochs = result.epochs
    if not epochs:
        raise DataError("result.json has no per-epoch history (`epochs`)", field="epochs")
    x = [e["epoch"] for e in epochs]

    def series(key: str) -> np.ndarray:
        return np.array([np.nan if e.get(key) is None else float(e[key]) for e in epochs])

    fig, ax_loss = plt.subplots(figsize=(8, 4.5))
    marker = "o" if len(x) <= 30 else None
    ax_loss.plot(x, series("loss"), color="0.3", marker=marker, markersize=3, label="training loss")
    ax_loss.set_xlabel("epoch")
    from matplotlib.ticker import MaxNLocator

    ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_loss.set_ylabel("training loss (MSE)")
    ax_corr = ax_loss.twinx()
    colors = {"kendall": "tab:blue", "spearman": "tab:orange", "f1": "tab:purple",
              "map50": "tab:red", "map15": "tab:brown"}  # fmt: skip
    names = {"kendall": "tau", "spearman": "rho"}
    for split, style in (("test", "-"), ("val", "--")):
        for metric, color in colors.items():
            values = series(f"{split}_{metric}")
            if np.all(np.isnan(values)):
                continue
            ax_corr.plot(
                x,
                values,
                style,
                color=color,
                marker=marker,
                markersize=3,
                label=f"{split} {names.get(metric, metric)}",
            )
    ax_corr.set_ylabel("metric (rank correlation, F1, mAP)")
    chosen = result.chosen_epoch
    if chosen is not None:
        ax_loss.axvline(
            chosen,
            color="tab:green",
            linestyle=":",
            linewidth=2,
            label=f"chosen epoch {chosen} ({result.selection} selection)",
        )
    lines = ax_loss.get_legend_handles_labels()
    more = ax_corr.get_legend_handles_labels()
    ax_loss.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="best")
    ax_loss.set_title(_run_title(result))
    fig.tight_layout()
    return save_figure(fig, out, formats)


def _run_title(result: RunResult) -> str:
    data = "synthetic" if result.synthetic else "real"
    return (
        f"{result.model} on {result.dataset} ({data} data), seed {result.seed}, fold {result.fold}"
    )


def _data_file(result: RunResult, data_dir: str | None) -> Path:
    """The file the run was trained on, or ``data_dir``'s; never another file silently (a
    run's scores drawn against other data would look plausible and be wrong)."""
    from vsumbench.data.paths import dataset_file
    from vsumbench.errors import DataNotFoundError

    if data_dir is not None:
        return dataset_file(result.dataset, data_dir)
    data = result.data
    candidates = [Path(data.file)] if data.file else []
    if data.dir and data.file:
        candidates.append(Path(data.dir) / Path(data.file).name)
    for path in candidates:
        if path.is_file():
            return path
    raise DataNotFoundError(
        "the run's data file is not there (moved?); pass --data-dir DIR to name its folder",
        file=data.file or "(not recorded)",
    )


def plot_scores(
    run_dir: str | Path,
    video: str,
    out: str | Path,
    *,
    data_dir: str | None = None,
    formats: Sequence[str] = ("png", "pdf"),
) -> list[Path]:
    """Predicted scores against ``gtscore`` and the user summaries (one row per user, where
    the file has them), with the selected keyshots shaded, for one video."""
    from vsumbench.protocol import frame_scores, keyshot_summary

    result, v, scores = _scored_video(run_dir, video, data_dir)
    frames = np.arange(v.n_frames)
    pred_frames = frame_scores(scores, v.picks, v.n_frames)
    gt_frames = frame_scores(v.gtscore, v.picks, v.n_frames)
    summary = keyshot_summary(scores, v.change_points, v.n_frames, v.picks)

    plt = _pyplot()
    users = v.user_summary if v.user_summary is not None and len(v.user_summary) else None
    ratios = [4, 1] if users is None else [4, 2, 1]
    fig, axes = plt.subplots(len(ratios), 1, figsize=(11, 2.8 + 0.5 * sum(ratios[1:])),
                             sharex=True, gridspec_kw={"height_ratios": ratios})  # fmt: skip
    ax, ax_sum = axes[0], axes[-1]
    if users is not None:
        _user_rows(axes[1], users, summary)
    # Predictions get their own axis: only their ranking matters to tau/rho and the
    # knapsack, and their scale can differ from gtscore's (e.g. a model without sigmoid).
    ax.plot(
        frames, gt_frames, color="0.35", linewidth=1.2, label="ground truth (gtscore, left axis)"
    )
    ax_pred = ax.twinx()
    ax_pred.plot(
        frames, pred_frames, color="tab:blue", linewidth=1.2, label="predicted score (right axis)"
    )
    ax_pred.set_ylabel("predicted score", color="tab:blue")
    ax_pred.tick_params(axis="y", colors="tab:blue")
    for first, _last in v.change_points.tolist():
        ax.axvline(first, color="0.85", linewidth=0.5, zorder=0)
    _shade(ax, summary, color="tab:orange", alpha=0.2)
    ax.set_ylabel("ground-truth score")
    handles = ax.get_legend_handles_labels()
    more = ax_pred.get_legend_handles_labels()
    ax_pred.legend(handles[0] + more[0], handles[1] + more[1], fontsize=8, loc="upper right")
    scores_of_video = (result.per_video or {}).get(video) or {}
    numbers = ", ".join(
        f"{name} {scores_of_video[key]:.3f}"
        for key, name in (("kendall", "tau"), ("spearman", "rho"), ("f1", "F1"))
        if scores_of_video.get(key) is not None
    )
    ax.set_title(f"{_run_title(result)}: {video}" + (f" ({numbers})" if numbers else ""))
    ax_sum.fill_between(
        np.arange(len(summary)), 0, summary, step="post", color="tab:orange", alpha=0.8
    )
    ax_sum.set_yticks([])
    ax_sum.set_ylabel("machine\nsummary", rotation=0, ha="right", va="center")
    share = summary.mean()
    ax_sum.set_xlabel(
        f"frame (selected keyshots: {share:.1%} of the video; shot boundaries in grey)"
    )
    ax_sum.set_xlim(0, v.n_frames)
    fig.tight_layout()
    return save_figure(fig, out, formats)


def _scored_video(run_dir: str | Path, video: str, data_dir: str | None) -> tuple:
    """The run's result, the video (gtscore, user summaries) and its predicted step scores,
    each missing piece an error naming its file."""
    from vsumbench.data.layouts import layout_of_file
    from vsumbench.data.predictions import read_predictions
    from vsumbench.runner.store import PREDICTIONS_FILE

    result = read_run(run_dir)
    pred_path = Path(run_dir) / PREDICTIONS_FILE
    if not pred_path.is_file():
        raise DataError("no predictions file in this fold directory", file=pred_path)
    predictions = read_predictions(pred_path)
    if video not in predictions:
        keys = sorted(predictions, key=lambda k: (len(k), k))
        raise DataError(
            f"video not in this fold's test predictions; it has {', '.join(keys)}",
            file=pred_path,
            video=video,
        )
    path = _data_file(result, data_dir)
    v = layout_of_file(path).annotated(path, [video])[video]  # eccv16, Mr.HiSum, ...
    scores = predictions[video]
    if len(scores) != v.n_steps:
        raise DataError(
            f"expected {v.n_steps} step scores, found {len(scores)}", file=pred_path, video=video
        )
    return result, v, scores


def _user_rows(ax: Any, users: np.ndarray, summary: np.ndarray) -> None:
    """Each user's summary as a row of grey, the machine's selection shaded across them."""
    n_users, n_frames = users.shape
    ax.imshow(users.astype(float), aspect="auto", cmap="Greys", vmin=0, vmax=1.6,
              interpolation="nearest", extent=(0, n_frames, n_users, 0))  # fmt: skip
    _shade(ax, summary[:n_frames], color="tab:orange", alpha=0.3)
    ax.set_yticks([])
    ax.set_ylabel(f"{n_users} user\nsummaries", rotation=0, ha="right", va="center")


def _shade(ax: Any, mask: np.ndarray, **style: Any) -> None:
    """Shade the runs of ones in a binary frame mask."""
    padded = np.concatenate([[0], np.asarray(mask, dtype=np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        ax.axvspan(start, stop, linewidth=0, **style)

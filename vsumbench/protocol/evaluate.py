"""Score predictions against a dataset: keyshot F1 and rank correlations (protocol.md 3-5).

`make_references` does the per-dataset work once (user summaries as booleans, rank
references turned into dense levels), so `evaluate` costs a knapsack and a few
``np.bincount`` calls per video: cheap enough to run after every training epoch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from vsumbench.datasets import DatasetSpec, get_dataset
from vsumbench.errors import DataError, PredictionError
from vsumbench.protocol.f1 import f1_score
from vsumbench.protocol.keyshot import keyshot_summary
from vsumbench.protocol.rank import correlations_with_levels, dense_levels


@dataclass(frozen=True, eq=False)
class VideoReference:
    """Everything needed to score one video's step scores.

    ``rank_levels`` (R, n) are dense levels of the rank references (order is all that
    tau and rho use); what they are depends on the dataset's ``rank_reference`` kind
    (`RANK_REFERENCES`): per-annotator step scores (n = n_steps, compared with the raw step
    scores) or the mean user summary at frame level (n = max(L, n_frames), zero-padded,
    compared with the keyshot summary).
    """

    key: str
    spec: DatasetSpec
    n_frames: int
    n_steps: int
    picks: np.ndarray
    change_points: np.ndarray
    user_summary: np.ndarray  # (n_users, n_frames) bool
    rank_levels: np.ndarray  # (R, n) int
    n_levels: int

    @property
    def dataset(self) -> str:
        return self.spec.name

    @property
    def rank_length(self) -> int:
        return int(self.rank_levels.shape[1])


@dataclass(frozen=True)
class VideoScore:
    """One video's numbers (fractions) and the protocol events worth knowing about."""

    kendall: float
    spearman: float
    f1: float | None
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        out = {"kendall": self.kendall, "spearman": self.spearman, "f1": self.f1}
        if self.flags:
            out["flags"] = list(self.flags)
        return out


@dataclass(frozen=True)
class Evaluation:
    """Means over the evaluated videos, and the per-video scores behind them."""

    kendall: float
    spearman: float
    f1: float | None
    per_video: dict[str, VideoScore] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """``{"kendall", "spearman", "f1", "per_video": {key: {kendall, spearman, f1}}}``
        (a video's ``flags`` list appears only when it has flags)."""
        return {
            "kendall": self.kendall,
            "spearman": self.spearman,
            "f1": self.f1,
            "per_video": {key: score.to_dict() for key, score in self.per_video.items()},
        }

    @classmethod
    def from_scores(cls, per_video: Mapping[str, VideoScore]) -> Evaluation:
        """Means over videos; F1 is None when no video has one."""
        scores = dict(per_video)
        if not scores:
            raise ValueError("no videos to average")
        f1s = [s.f1 for s in scores.values() if s.f1 is not None]
        return cls(
            kendall=_mean([s.kendall for s in scores.values()]),
            spearman=_mean([s.spearman for s in scores.values()]),
            f1=_mean(f1s) if f1s else None,
            per_video=scores,
        )


def _mean(values) -> float:
    arr = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError("a NaN or infinite value reached a mean; this is a vsumbench bug")
    return float(arr.mean())


def _annotator_rows(video, spec: DatasetSpec, annotation_scores, file) -> np.ndarray:
    """Each annotator's frame scores / their max, every ``step``-th frame: (R, n_steps)."""
    if annotation_scores is None:
        raise DataError(
            f"{spec.label} rank correlations need the per-annotator scores "
            f"({' or '.join(spec.annotation_files) or 'an annotation file'})",
            file=file,
            video=video.key,
            field="annotations",
        )
    scores = np.asarray(annotation_scores)
    if scores.shape[1] != int(video.n_frames):
        raise DataError(
            f"annotations have {scores.shape[1]} frames, n_frames is {int(video.n_frames)}",
            file=file,
            video=video.key,
            field="n_frames",
        )
    refs = scores[:, :: spec.step] / scores.max(axis=1, keepdims=True).astype(np.float64)
    if refs.shape[1] != int(video.n_steps):
        raise DataError(
            f"annotations have {scores.shape[1]} frames, giving {refs.shape[1]} references "
            f"every {spec.step}th frame, but the video has n_steps={int(video.n_steps)}",
            file=file,
            video=video.key,
            field="n_steps",
        )
    return refs


def _mean_user_rows(video, users: np.ndarray, cps: np.ndarray) -> np.ndarray:
    """The mean user summary at frame level, zero-padded to max(L, n_frames): (1, n)."""
    length = max(int(cps[-1, 1]) + 1, users.shape[1])
    mean_user = np.zeros(length)
    mean_user[: users.shape[1]] = users.mean(axis=0)
    return mean_user[None, :]


@dataclass(frozen=True)
class RankReference:
    """One way of computing a dataset's tau/rho: what is compared (``"prediction"``, the
    raw step scores, or ``"summary"``, the keyshot summary) and against which rows."""

    compares: str
    uses_annotations: bool


#: The rank-reference kinds a `DatasetSpec.rank_reference` may name.
RANK_REFERENCES = {
    "annotator_scores": RankReference(compares="prediction", uses_annotations=True),
    "mean_user_summary": RankReference(compares="summary", uses_annotations=False),
}


def _rank_reference(spec: DatasetSpec) -> RankReference:
    try:
        return RANK_REFERENCES[spec.rank_reference or ""]
    except KeyError:
        raise ValueError(
            f"dataset {spec.name!r} is not a benchmark (rank reference "
            f"{spec.rank_reference!r}; known: {', '.join(RANK_REFERENCES)})"
        ) from None


def make_reference(
    video, dataset: str | DatasetSpec, annotation_scores=None, *, file=None
) -> VideoReference:
    """The `VideoReference` of one `vsumbench.data.Video` (annotator-scored datasets such as
    TVSum need that video's per-annotator scores)."""
    spec = get_dataset(dataset)
    kind = _rank_reference(spec)
    if video.user_summary is None:
        raise DataError(
            "user_summary is needed for F1 but was not loaded or is missing",
            file=file,
            video=video.key,
            field="user_summary",
        )
    users = np.asarray(video.user_summary) > 0
    cps = np.asarray(video.change_points, dtype=np.int64).reshape(-1, 2)
    if kind.uses_annotations:
        rows = _annotator_rows(video, spec, annotation_scores, file)
    else:
        rows = _mean_user_rows(video, users, cps)
    levels, n_levels = dense_levels(rows)
    return VideoReference(
        key=video.key,
        spec=spec,
        n_frames=int(video.n_frames),
        n_steps=int(video.n_steps),
        picks=np.asarray(video.picks, dtype=np.int64),
        change_points=cps,
        user_summary=users,
        rank_levels=levels,
        n_levels=n_levels,
    )


def make_references(
    videos: Mapping, dataset: str | DatasetSpec, annotations: Mapping | None = None, *, file=None
) -> dict[str, VideoReference]:
    """``{key: VideoReference}`` for ``videos`` (``{key: Video}``).

    ``annotations`` (``{key: VideoAnnotations}`` or ``{key: scores array}``) is required
    for annotator-scored datasets (TVSum); ``file`` only names the data file in errors.
    """
    spec = get_dataset(dataset)
    uses_annotations = _rank_reference(spec).uses_annotations
    out = {}
    for key, video in videos.items():
        scores = None
        if uses_annotations:
            if annotations is None or key not in annotations:
                raise DataError(
                    f"no per-annotator scores for this video: {spec.label} rank correlations "
                    f"need {' or '.join(spec.annotation_files) or 'an annotation file'}",
                    file=file,
                    video=key,
                    field="annotations",
                )
            ann = annotations[key]
            scores = getattr(ann, "scores", ann)
        out[key] = make_reference(video, spec, scores, file=file)
    return out


def check_prediction(scores, reference: VideoReference, *, file=None) -> np.ndarray:
    """The prediction as float64 (n_steps,), or a `PredictionError` saying what is wrong."""
    arr = np.asarray(scores)
    if arr.dtype.kind not in "biuf":
        raise PredictionError(
            f"expected numeric step scores, found dtype {arr.dtype}",
            file=file,
            video=reference.key,
            field="scores",
        )
    arr = arr.astype(np.float64)
    if arr.ndim != 1 or arr.shape[0] != reference.n_steps:
        raise PredictionError(
            f"expected {reference.n_steps} step scores (n_steps of the dataset), "
            f"found shape {arr.shape}",
            file=file,
            video=reference.key,
            field="scores",
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise PredictionError(
            f"scores must be finite; found {arr[i]} at step {i} ({int(bad.sum())} bad values)",
            file=file,
            video=reference.key,
            field="scores",
        )
    return arr


def score_video(scores: np.ndarray, reference: VideoReference) -> VideoScore:
    """Evaluate one already-checked prediction (see `check_prediction`)."""
    spec = reference.spec
    summary = keyshot_summary(
        scores, reference.change_points, reference.n_frames, reference.picks, spec.budget
    )
    f1 = f1_score(summary, reference.user_summary, spec.f1_reduce)
    compares = _rank_reference(spec).compares
    if compares == "prediction":
        x = scores
    else:
        x = np.zeros(reference.rank_length, dtype=np.uint8)
        n = min(summary.size, x.size)
        x[:n] = summary[:n]
    corr = correlations_with_levels(x, reference.rank_levels, reference.n_levels)
    flags: list[str] = []
    if corr.undefined.any():
        if np.all(x == x[0]):
            flags.append(f"constant {compares}: tau and rho scored 0")
        else:
            flags.append(
                f"constant reference for {int(corr.undefined.sum())} of "
                f"{corr.undefined.size} references: scored 0"
            )
    return VideoScore(
        kendall=float(corr.kendall.mean()),
        spearman=float(corr.spearman.mean()),
        f1=f1,
        flags=tuple(flags),
    )


def evaluate(
    predictions: Mapping[str, np.ndarray],
    references: Mapping[str, VideoReference],
    *,
    file=None,
) -> Evaluation:
    """Evaluate step scores ``{key: (n_steps,)}`` against ``references``.

    Means are over the predicted videos. Raises `PredictionError` (naming ``file``, the
    video and the field) for unknown keys, wrong lengths and NaN/inf scores, before any
    work is done.
    """
    if not predictions:
        raise PredictionError("no predictions to evaluate", file=file)
    unknown = [key for key in predictions if key not in references]
    if unknown:
        known = list(references)
        raise PredictionError(
            f"unknown video key(s) {unknown}; the dataset has {len(known)} videos "
            f"({', '.join(known[:3])}{', ...' if len(known) > 3 else ''})",
            file=file,
            video=unknown[0],
        )
    checked = {
        key: check_prediction(scores, references[key], file=file)
        for key, scores in predictions.items()
    }
    return Evaluation.from_scores(
        {key: score_video(scores, references[key]) for key, scores in checked.items()}
    )

"""The multimodal fields of the synthetic benchmark: CLIP-like image features, captions and
their CLIP-like text features (what CLIP-It reads), made so that text carries what the
images alone cannot.

Each video's CLIP image features (512 wide, as ViT-B/32's) show two smooth processes along
two fixed directions: the planted importance of the video (the same one its GoogLeNet
features and ground truth come from) and an unrelated process of the same smoothness. Which
direction carries which is drawn per video, so from the images alone the two cannot be told
apart. The captions (one per span of about 20 steps, 3 to 10 per video) say it: each caption's
text feature holds the video's draw along a fixed text direction, plus the mean importance of
its own span along another, plus noise. A model that reads the text can learn which
direction to trust; an image-only model cannot (``tests/test_clip_it_training.py`` measures
the gap). Every array comes from its own random stream, ``default_rng([seed, dataset, video,
7])``, so adding these fields changed no byte of the others.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CLIP_WIDTH", "STREAM", "clip_fields", "concept_directions"]

CLIP_WIDTH = 512
STREAM = 7  # the fourth word of every multimodal random stream
STEPS_PER_CAPTION = 20
FPS = 30.0  # the synthetic videos' frame rate (caption times are in seconds)


def concept_directions(seed: int, width: int = CLIP_WIDTH) -> dict[str, np.ndarray]:
    """The fixed unit directions of one benchmark: two image directions, two text ones."""
    rng = np.random.default_rng([seed, STREAM])
    basis, _ = np.linalg.qr(rng.standard_normal((width, 4)))
    return {"image_a": basis[:, 0], "image_b": basis[:, 1], "text_which": basis[:, 2],
            "text_span": basis[:, 3]}  # fmt: skip


def _smooth(rng: np.random.Generator, change_points: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """A standardised process nearly constant within shots and correlated across them (an
    AR(1) filter of rho 0.8 over the shots)."""
    from scipy.signal import lfilter

    shot = np.searchsorted(change_points[:, 1], picks, side="left")
    per_shot = lfilter([0.6], [1.0, -0.8], rng.standard_normal(change_points.shape[0]))
    series = per_shot[shot] + 0.3 * rng.standard_normal(picks.size)
    return (series - series.mean()) / max(float(series.std()), 1e-12)


def clip_fields(
    rng: np.random.Generator,
    importance: np.ndarray,
    change_points: np.ndarray,
    picks: np.ndarray,
    directions: dict[str, np.ndarray],
) -> dict[str, object]:
    """``features_clip_image``, ``features_clip_txt``, ``captions`` and ``caption_times`` of
    one video, from its planted step importance."""
    n, width = importance.size, directions["image_a"].size
    which = 1.0 if rng.random() < 0.5 else -1.0
    other = _smooth(rng, change_points, picks)
    a, b = (importance, other) if which > 0 else (other, importance)
    image = 0.8 * (np.outer(a, directions["image_a"]) + np.outer(b, directions["image_b"]))
    image += 0.25 * rng.standard_normal((n, width)) + 0.05  # CLIP features are not centred
    count = int(np.clip(n // STEPS_PER_CAPTION, 3, 10))
    bounds = np.linspace(0, n, count + 1).round().astype(int)
    text, captions, times = [], [], []
    for i in range(count):
        span = slice(bounds[i], max(bounds[i + 1], bounds[i] + 1))
        level = float(importance[span].mean())
        vector = 1.0 * which * directions["text_which"] + 0.5 * level * directions["text_span"]
        text.append(vector + 0.15 * rng.standard_normal(width))
        captions.append(f"synthetic caption {i + 1}: {'a lively' if level > 0 else 'a quiet'} "
                        f"moment, seen {'first' if which > 0 else 'second'}")  # fmt: skip
        first = int(picks[span.start])
        last = int(picks[min(span.stop, n) - 1])
        times.append((first / FPS, (last + 1) / FPS))
    return {
        "features_clip_image": image.astype(np.float32),
        "features_clip_txt": np.asarray(text, dtype=np.float32),
        "captions": tuple(captions),
        "caption_times": np.asarray(times, dtype=np.float64),
    }

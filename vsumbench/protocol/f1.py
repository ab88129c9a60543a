"""Keyshot F1 against user summaries (protocol.md section 4), as a fraction in [0, 1]."""

from __future__ import annotations

import numpy as np

REDUCERS = {"max": np.max, "mean": np.mean}


def f1_per_user(summary, user_summary) -> np.ndarray:
    """F1 of a binary ``summary`` (L,) against each row of ``user_summary`` (U, n_frames).

    The shorter of the two lengths is zero-padded; F1 is 0 when the overlap is 0.
    """
    s = np.asarray(summary).ravel() > 0
    users = np.atleast_2d(np.asarray(user_summary)) > 0
    common = min(s.size, users.shape[1])  # zero padding adds nothing to the overlap
    # Counts of 0/1 products: exact in float64 (a BLAS matrix-vector product, no copies
    # of padded int64 matrices).
    overlap = users[:, :common].astype(np.float64) @ s[:common].astype(np.float64)
    n_pred = int(np.count_nonzero(s))
    n_user = np.count_nonzero(users, axis=1)
    out = np.zeros(users.shape[0], dtype=np.float64)
    ok = overlap > 0
    precision = overlap[ok] / n_pred
    recall = overlap[ok] / n_user[ok]
    out[ok] = 2 * precision * recall / (precision + recall)
    return out


def f1_score(summary, user_summary, reduce: str = "mean") -> float:
    """F1 reduced over users: ``"max"`` (SumMe) or ``"mean"`` (TVSum).

    >>> import numpy as np
    >>> users = np.array([[1, 0, 0, 0], [1, 1, 0, 0]])
    >>> f1_score([1, 1, 0, 0], users, "max"), round(f1_score([1, 1, 0, 0], users, "mean"), 4)
    (1.0, 0.8333)
    """
    if reduce not in REDUCERS:
        raise ValueError(f"reduce must be one of {sorted(REDUCERS)}, found {reduce!r}")
    return float(REDUCERS[reduce](f1_per_user(summary, user_summary)))

"""Reference summarizers: VASNet, CNN-only baselines and the random scorer.

Importing this package registers them (entry point ``baselines = "baselines"``) without
importing torch: the tiny factories below import their model module when called.
"""

from baselines import cnn
from vsumbench.models import register_summarizer

__all__ = ["cnn", "random", "vasnet"]


@register_summarizer(
    "vasnet",
    lr=5e-5,
    weight_decay=1e-5,
    epochs=100,
    loss="mse",
    display_name="VASNet",
    description="VASNet (Fajtl et al. 2018): soft self-attention over time, the temporal-attention reference",
)
def vasnet(in_dim: int = 1024):
    from baselines.vasnet import VASNet

    return VASNet(in_dim=in_dim)


@register_summarizer(
    "random",
    lr=0.0,
    weight_decay=0.0,
    epochs=0,
    trainable=False,
    display_name="Random",
    description="uniform random scores in [0, 1), seeded; not trainable (the chance row)",
)
def random(seed: int = 0):
    from baselines.random_scorer import RandomScorer

    return RandomScorer(seed=seed)

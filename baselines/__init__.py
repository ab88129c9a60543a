"""Reference summarizers: VASNet, DSNet (anchor-free, anchor-based), PGL-SUM, CNN-only
baselines and the random scorer, each with its authors' training recipe.

Importing this package registers them (entry point ``baselines = "baselines"``) without
importing torch: the tiny factories below import their model module when called.
"""

from baselines import cnn
from baselines.dsnet_objectives import DSNetABObjective, DSNetAFObjective
from baselines.mrhisum_recipes import MRHISUM_PGL_SUM, MRHISUM_SL_MODULE, MRHISUM_VASNET
from vsumbench.models import register_summarizer

__all__ = [
    "clip_it",
    "clip_it_unsup",
    "cnn",
    "dsnet_ab",
    "dsnet_af",
    "pgl_sum",
    "random",
    "sl_module",
    "vasnet",
]

#: DSNet's official recipe (its helpers/init_helper.py defaults): Adam lr 5e-5, weight decay
#: 1e-5, 300 epochs, one video per step, seed 12345; the checkpoint kept is the epoch with
#: the best test F1 (its train.py).
DSNET = {"lr": 5e-5, "weight_decay": 1e-5, "epochs": 300, "seed": 12345, "selection": "test-f1"}


@register_summarizer(
    "dsnet-af",
    objective=DSNetAFObjective,
    display_name="DSNet-AF",
    description="DSNet anchor-free (Zhu et al. 2021): per-step segment proposals from keyshot labels",
    **DSNET,
)
def dsnet_af(in_dim: int = 1024, hidden: int = 128, heads: int = 8, nms_threshold: float = 0.5):
    from baselines.dsnet import DSNetAF

    return DSNetAF(features=in_dim, hidden=hidden, heads=heads, nms_threshold=nms_threshold)


@register_summarizer(
    "dsnet-ab",
    objective=DSNetABObjective,
    display_name="DSNet-AB",
    description="DSNet anchor-based (Zhu et al. 2021): anchor proposals (4-32 steps) from keyshot labels",
    **DSNET,
)
def dsnet_ab(
    in_dim: int = 1024,
    hidden: int = 128,
    heads: int = 8,
    anchor_scales: tuple[int, ...] = (4, 8, 16, 32),
    nms_threshold: float = 0.5,
    skip_unmatched: bool = False,
):
    from baselines.dsnet import DSNetAB

    return DSNetAB(
        features=in_dim,
        hidden=hidden,
        heads=heads,
        anchor_scales=tuple(anchor_scales),
        nms_threshold=nms_threshold,
        skip_unmatched=skip_unmatched,
    )


@register_summarizer(
    "pgl-sum",
    lr=5e-5,
    weight_decay=1e-5,
    epochs=200,
    batch=20,
    clip=5.0,
    seed=12345,
    selection="loss-curve",
    loss="mse",
    recipes={"mrhisum": MRHISUM_PGL_SUM},
    display_name="PGL-SUM",
    description="PGL-SUM (Apostolidis et al. 2021): global and local multi-head attention, 4 segments",
)
def pgl_sum(
    in_dim: int = 1024,
    heads: int = 8,
    segments: int = 4,
    fusion: str = "add",
    pos_enc: str | None = "absolute",
):
    """PGL-SUM with its official Xavier initialisation; trained as its solver trains: MSE
    against gtscore, gradients of 20 videos summed per Adam step (lr 5e-5, weight decay
    1e-5), clipped at norm 5, 200 epochs, seed 12345, the epoch chosen by its loss-curve rule.
    """
    from baselines.pgl_sum import PGLSum, xavier_init

    model = PGLSum(
        input_size=in_dim, heads=heads, segments=segments, fusion=fusion, pos_enc=pos_enc
    )
    xavier_init(model)
    return model


@register_summarizer(
    "vasnet",
    lr=5e-5,
    weight_decay=1e-5,
    epochs=100,
    loss="mse",
    recipes={"mrhisum": MRHISUM_VASNET},
    display_name="VASNet",
    description="VASNet (Fajtl et al. 2018): soft self-attention over time, the temporal-attention reference",
)
def vasnet(in_dim: int = 1024):
    from baselines.vasnet import VASNet

    return VASNet(in_dim=in_dim)


@register_summarizer(
    "sl-module",
    lr=0.05,
    weight_decay=1e-4,
    epochs=200,
    batch=256,
    optimizer="sgd",
    momentum=0.9,
    schedule=MRHISUM_SL_MODULE["schedule"],
    loss="mse",
    recipes={"mrhisum": MRHISUM_SL_MODULE},
    display_name="SL-module",
    description="SL-module (Mr.HiSum's baseline, Sul et al. 2023): 5-layer pre-norm transformer "
    "and a 3-layer score head; trained as on Mr.HiSum (SGD 0.05, momentum 0.9, StepLR 100)",
)
def sl_module(in_dim: int = 1024, depth: int = 5, heads: int = 8, mlp_dim: int = 3072,
              dropout: float = 0.5):  # fmt: skip
    from baselines.sl_module import SLModule

    return SLModule(in_dim=in_dim, depth=depth, heads=heads, mlp_dim=mlp_dim, dropout=dropout)


#: CLIP-It's recipe. The paper's optimiser settings were not available here: Adam 1e-4,
#: weight decay 1e-5, 100 epochs, one video per step (ours, as CSTA's loop).
CLIP_IT = {"lr": 1e-4, "weight_decay": 1e-5, "epochs": 100,
           "inputs": ("features_clip_image", "features_clip_txt")}  # fmt: skip


def _clip_it(loss: str, in_dim: int, sentences: int, image_only: bool, w_class: float,
             w_div: float, w_rec: float, layers: int, heads: int, positions: int):  # fmt: skip
    from baselines.clip_it import ClipIt
    from baselines.clip_it_objective import LOSSES

    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")
    model = ClipIt(in_dim=in_dim, d_model=in_dim, sentences=sentences, layers=layers,
                   heads=heads, positions=positions, image_only=image_only)  # fmt: skip
    model.loss_kind, model.loss_weights = loss, (w_class, w_div, w_rec)
    return model


def _adapt(state, own):
    from baselines.clip_it import adapt_port_state_dict

    return adapt_port_state_dict(state, own)


def _clip_it_objective():
    from baselines.clip_it_objective import ClipItObjective

    return ClipItObjective()


@register_summarizer(
    "clip-it",
    objective=_clip_it_objective,
    adapt_state_dict=_adapt,
    display_name="CLIP-It",
    description="CLIP-It (Narasimhan et al. 2021): CLIP frames attend to caption text, then a "
    "6-layer transformer scores them; ModelScope's port; paper losses (weights ours)",
    **CLIP_IT,
)
def clip_it(in_dim: int = 512, sentences: int = 7, image_only: bool = False,
            objective: str = "paper", w_class: float = 1.0, w_div: float = 0.1, w_rec: float = 0.1,
            layers: int = 6, heads: int = 8, positions: int = 4000):  # fmt: skip
    """CLIP-It; ``image_only=true`` is the ablation without text, ``objective=port-mse`` the
    port's objective, ``objective=unsupervised`` the paper's unsupervised variant."""
    return _clip_it(objective, in_dim, sentences, image_only, w_class, w_div, w_rec, layers, heads,
                    positions)  # fmt: skip


@register_summarizer(
    "clip-it-unsup",
    objective=_clip_it_objective,
    adapt_state_dict=_adapt,
    display_name="CLIP-It (unsup.)",
    description="CLIP-It trained without labels: diversity and reconstruction losses only",
    **CLIP_IT,
)
def clip_it_unsup(in_dim: int = 512, sentences: int = 7, image_only: bool = False,
                  w_div: float = 0.1, w_rec: float = 0.1, layers: int = 6, heads: int = 8,
                  positions: int = 4000):  # fmt: skip
    return _clip_it("unsupervised", in_dim, sentences, image_only, 0.0, w_div, w_rec, layers,
                    heads, positions)  # fmt: skip


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

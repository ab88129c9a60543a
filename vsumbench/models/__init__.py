"""The models floor: the summarizer registry (torch-free), and the torch side of models:
CNN trunks (``backbones``), weight loading (``weights``), checkpoints and MACs.

Plugins use the registry API re-exported here::

    from vsumbench.models import Objective, register_summarizer
"""

from vsumbench.models.objective import Objective, check_scores, keyshot_labels
from vsumbench.models.registry import (
    DEFAULT_SEED,
    ENTRY_POINT_GROUP,
    PluginWarning,
    SummarizerSpec,
    create,
    get_spec,
    list_summarizers,
    load_plugins,
    register_summarizer,
)

__all__ = [
    "DEFAULT_SEED",
    "ENTRY_POINT_GROUP",
    "Objective",
    "PluginWarning",
    "check_scores",
    "SummarizerSpec",
    "create",
    "get_spec",
    "keyshot_labels",
    "list_summarizers",
    "load_plugins",
    "register_summarizer",
]

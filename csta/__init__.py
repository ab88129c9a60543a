"""CSTA and its Table 2 variants, registered as vsumbench summarizers.

Importing this package registers the variants (entry point ``csta = "csta"``) without
importing torch; ``csta.model.CSTA`` is the module itself.
"""

from csta.config import CSTAConfig
from csta.variants import VARIANTS

__all__ = ["VARIANTS", "CSTAConfig"]

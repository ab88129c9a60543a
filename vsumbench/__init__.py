"""vsumbench: benchmark and evaluation toolkit for supervised video summarization.

The public, torch-free API is re-exported here; see ``vsumbench.protocol`` for the
evaluation protocol and ``vsumbench.registry`` for model plugins.
"""

__version__ = "0.1.0"

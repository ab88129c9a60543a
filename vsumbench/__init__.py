"""vsumbench: benchmark and evaluation toolkit for supervised video summarization.

Public API (torch-free unless noted):

- ``vsumbench.protocol``: ``knapsack``, ``frame_scores``, ``keyshot_summary``,
  ``f1_per_user``, ``f1_score``, ``kendall_tau_b``, ``spearman_rho``, ``rank_correlations``,
  ``make_references``, ``evaluate``, ``Evaluation``, ``human_row``, ``random_row``,
  ``read_predictions``, ``write_predictions``.
- ``vsumbench.data``: ``Video``, ``load_videos``, ``check_file``, ``write_videos``,
  ``is_synthetic``; ``vsumbench.annotations``: ``load_annotations``;
  ``vsumbench.splits``: ``Split``, ``load_splits``, ``make_kfold``, ``write_splits``;
  ``vsumbench.synth``: ``generate_benchmark``.
- ``vsumbench.registry`` (models import torch): ``register_summarizer``, ``create``,
  ``get_spec``, ``list_summarizers``; ``vsumbench.checkpoints``: ``load_checkpoint``,
  ``load_state_dict_strict``, ``save_checkpoint``.
- ``vsumbench.runner.train``: ``RunConfig``, ``run``; ``vsumbench.macs``: ``dataset_macs``;
  ``vsumbench.tables``: ``build_tables``; ``vsumbench.stats``: ``paired_test``.

Submodules are imported on demand so that ``import vsumbench`` stays cheap.
"""

__version__ = "0.1.0"

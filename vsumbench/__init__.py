"""vsumbench: benchmark and evaluation toolkit for supervised video summarization.

Public API (torch-free unless noted; the floors are described in docs/architecture.md):

- ``vsumbench.datasets``: ``DatasetSpec``, ``register_dataset``, ``get_dataset``.
- ``vsumbench.protocol``: ``knapsack``, ``frame_scores``, ``keyshot_summary``,
  ``f1_per_user``, ``f1_score``, ``kendall_tau_b``, ``spearman_rho``, ``rank_correlations``,
  ``make_references``, ``evaluate``, ``Evaluation``, ``human_row``, ``random_row``.
- ``vsumbench.data``: ``Video``, ``load_videos``, ``check_file``, ``write_videos``,
  ``is_synthetic``, ``load_annotations``, ``load_splits``; ``vsumbench.data.predictions``:
  ``read_predictions``, ``write_predictions``; ``vsumbench.data.synth``: ``generate_benchmark``.
- ``vsumbench.models``: ``register_summarizer``, ``create``, ``get_spec``,
  ``list_summarizers``; with torch: ``vsumbench.models.weights`` (``load_backbone_weights``),
  ``vsumbench.models.checkpoints``, ``vsumbench.models.macs`` (``dataset_macs``).
- ``vsumbench.runner.config.RunConfig``, ``vsumbench.runner.train.run`` (torch),
  ``vsumbench.runner.result.RunResult``; ``vsumbench.report.tables.build_tables``,
  ``vsumbench.report.stats.paired_test``.

Submodules are imported on demand so that ``import vsumbench`` stays cheap.
"""

__version__ = "0.1.0"

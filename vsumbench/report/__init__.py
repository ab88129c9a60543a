"""The report floor (torch-free): tables, ranks, paired statistics, figures, run summaries.

Everything here reads typed results (`vsumbench.runner.result.RunResult`) from the store.
"""

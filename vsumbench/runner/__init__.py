"""Training and prediction: k-fold runs, epoch selection, the result store, resume.

Import the submodules you need (``vsumbench.runner.train`` imports torch;
``vsumbench.runner.results`` and ``vsumbench.runner.selection`` do not).
"""

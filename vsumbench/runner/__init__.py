"""The runner floor: k-fold training in rooms a reader can name.

``config`` (the request) -> ``benchmark`` (data loaded once) -> ``folds`` (the plan) ->
``train`` (orchestration) with ``seeding``, ``loop``, ``evaluation`` + ``selection``,
``resume`` -> ``outcome`` -> ``store`` / ``result`` (what readers get). ``predict`` scores a
features file with a trained model. ``config``, ``result``, ``selection`` and ``store`` are
torch-free; import the others when you need torch.
"""

"""Sweeps: many fold runs of ``vsumbench run`` at once, on Ray, SLURM or this process.

A grid (`grid`) is expanded into one task per fold (`plan`), each run by the same code and
into the same result store as ``vsumbench run`` (`task`), on an engine (`engines`), with
retries and progress (`driver`); `status` reads what the store holds for a grid.
"""

from vsumbench.sweep.grid import ENGINES, SweepGrid, grid_from_file

__all__ = ["ENGINES", "SweepGrid", "grid_from_file"]

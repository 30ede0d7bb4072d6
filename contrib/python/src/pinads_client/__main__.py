"""`python3 -m pinads_client METHOD [PARAMS_JSON]`: see pinads_client._cli."""

from ._cli import run

run()

"""Scale-out on Ray (the optional ``[ray]`` extra): connecting to a cluster, running work as Ray tasks, and a
local multi-node cluster for tests and benchmarks. Nothing here imports the rest of the package; the
features built on it (RLlib training, Tune, ``--ray`` on search, eval and leaderboard runs) live beside
the code they scale out. See docs/ray.md.
"""

from rl_compiler.distributed.cluster import RayUnavailableError, ray_session, require_ray
from rl_compiler.distributed.tasks import TaskOutcome, run_tasks

__all__ = ["RayUnavailableError", "TaskOutcome", "ray_session", "require_ray", "run_tasks"]

"""Build hook: ship the top-level data folders inside the package as ``rl_compiler/data/<folder>``.

Everything else is configured in pyproject.toml. Editable installs read the folders from the source
tree instead (see ``rl_compiler.data.data_path``).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_FOLDERS = ("envs", "agents", "benchmarks")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        for folder in DATA_FOLDERS:
            target = Path(self.build_lib) / "rl_compiler" / "data" / folder
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "runs"))


setup(cmdclass={"build_py": BuildWithData})

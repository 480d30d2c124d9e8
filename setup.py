"""Build step: the shipped scenarios and prompts travel inside the wheel as `bot/shipped/`.

The top-level `scenarios/` and `prompts/` folders stay the source (edited, reviewed, tested in
place); a non-editable build copies them under the package, where `bot.settings` finds them
when the repository is not there. Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = {"scenarios": "*.yaml", "prompts": "*.j2"}


class BuildWithShippedFiles(build_py):
    """`build_py`, plus a copy of each shipped folder into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads the repository's folders directly
        for folder, pattern in SHIPPED.items():
            target = Path(self.build_lib, "bot", "shipped", folder)
            target.mkdir(parents=True, exist_ok=True)
            for source in sorted(Path(folder).glob(pattern)):
                shutil.copy2(source, target / source.name)


setup(cmdclass={"build_py": BuildWithShippedFiles})

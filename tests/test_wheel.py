"""The product as a user installs it: a wheel (not editable) in a fresh virtualenv, run from `/`.

The shipped scenarios and prompts must travel inside the wheel, and nothing may be written to
the directory the command runs in (the default database lives in the user data directory).
Dependencies come from uv.lock through uv's cache, so the test needs no new downloads once
`make setup` has run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT

pytestmark = pytest.mark.wheel
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


def run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """A build step; its output is shown if it fails."""
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=600, **kwargs
    )  # type: ignore[call-overload]
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `trainer` script of a fresh venv holding only the built wheel and its locked deps."""
    if UV is None:
        pytest.fail("uv is not installed (make setup puts it in .venv)")
    tmp = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    run(UV, "build", "--wheel", "--out-dir", tmp / "dist", ROOT, env=env, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("*.whl")
    requirements = tmp / "requirements.txt"
    run(
        UV, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project",
        "--quiet", "--output-file", requirements, cwd=ROOT, env=env,
    )  # fmt: skip
    run(UV, "venv", "--quiet", "--python", sys.executable, tmp / "venv", env=env)
    python = tmp / "venv" / "bin" / "python"
    run(UV, "pip", "install", "--quiet", "--python", python, "-r", requirements, wheel, env=env)
    return tmp / "venv" / "bin" / "trainer"


def user_env(home: Path) -> dict[str, str]:
    """A user's environment: no settings of ours, a home of their own."""
    ours = ("DATABASE_URL", "SCENARIOS_DIR", "PROMPTS_DIR", "TELEGRAM_", "OPENAI_", "LLM_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.pop("XDG_DATA_HOME", None)
    env["HOME"] = str(home)
    return env


def test_the_installed_wheel_lists_the_shipped_scenarios_from_the_root(
    installed: Path, tmp_path: Path
) -> None:
    listed = run(installed, "scenarios", "list", cwd="/", env=user_env(tmp_path))
    for shipped in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert shipped.stem in listed.stdout


def test_the_installed_wheel_plays_a_piped_session_from_the_root(
    installed: Path, tmp_path: Path
) -> None:
    before = set(Path("/").iterdir())
    played = subprocess.run(
        [installed, "play", "-s", "district-health-tail-payment", "--plan", "先问验收人"],
        input="您好，我是华信科技的小陈，想了解一下验收的进展。\n/end\n",
        capture_output=True,
        text=True,
        timeout=300,
        cwd="/",
        env=user_env(tmp_path),
    )
    assert played.returncode == 0, played.stdout + played.stderr
    assert "评分卡" in played.stdout
    assert set(Path("/").iterdir()) == before  # no ./data/ in the directory it ran in
    assert (tmp_path / ".local" / "share" / "huikuan-trainer" / "trainer.db").is_file()

"""What an operator deploys: the compose file, the Dockerfile, the systemd unit and secrets
read from files. Docker has no daemon on the development machine, so the files are checked as
data (the image is built and run only where a daemon and the base image are present);
the wheel the image installs is built and run by tests/test_wheel.py."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.settings import ROOT, Settings

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


def compose() -> dict[str, Any]:
    """compose.yaml as data."""
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def dockerfile() -> str:
    """The Dockerfile with continuation lines joined."""
    return (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")


def test_compose_runs_the_bot_and_postgresql_each_with_a_healthcheck() -> None:
    services = compose()["services"]
    assert set(services) == {"bot", "db"}
    bot, db = services["bot"], services["db"]
    assert bot["healthcheck"]["test"] == ["CMD", "trainer", "health"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://trainer@db:5432/")


def test_compose_keeps_data_in_volumes_and_the_password_in_a_secret_file() -> None:
    spec = compose()
    bot, db = spec["services"]["bot"], spec["services"]["db"]
    declared = set(spec["volumes"])
    for service in (bot, db):
        for mount in service["volumes"]:
            assert mount.split(":")[0] in declared
    secret = spec["secrets"]["db_password"]["file"]
    assert secret == "./secrets/db_password"
    assert bot["environment"]["DATABASE_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "db_password" in bot["secrets"] and "db_password" in db["secrets"]
    assert not any("PASSWORD=" in str(v) for v in bot["environment"].values())


def test_the_image_is_non_root_with_a_healthcheck_the_locked_deps_and_a_debian_cjk_font() -> None:
    text = dockerfile()
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*trainer\", \"health", text, flags=re.MULTILINE)
    assert "uv export --frozen" in text and "--require-hashes" in text
    assert "apt-get install -y --no-install-recommends fonts-noto-cjk" in text
    instructions = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not any("mplfonts" in line or "[fonts]" in line for line in instructions)


@pytest.mark.wheel
def test_the_images_requirements_come_from_the_lock_without_the_font_bundle() -> None:
    if UV is None:
        pytest.fail("uv is not installed (make setup puts it in .venv)")
    exported = subprocess.run(
        [UV, "export", "--frozen", "--no-emit-project", "--extra", "postgres",
         "--format", "requirements-txt", "--no-header"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    pinned = {line.split("==")[0] for line in exported.splitlines() if "==" in line[:60]}
    assert {"asyncpg", "prometheus-client", "python-telegram-bot", "matplotlib"} <= pinned
    assert "mplfonts" not in pinned
    assert "--hash=sha256:" in exported


def test_the_systemd_unit_starts_trainer_run_with_secrets_as_credentials() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "huikuan-trainer.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].endswith("trainer run")
    assert "LoadCredential" in service
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_secrets_are_read_from_the_files_their_FILE_variables_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "bot_token"
    token.write_text("123456789:AAH" + "k" * 32 + "\n", "utf-8")
    password = tmp_path / "db_password"
    password.write_text("s3cr3t/pw\n", "utf-8")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_FILE", str(token))
    monkeypatch.setenv("DATABASE_PASSWORD_FILE", str(password))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="postgresql+asyncpg://trainer@db:5432/trainer",
    )
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123456789:AAH" + "k" * 32
    assert settings.database_url == "postgresql+asyncpg://trainer:s3cr3t%2Fpw@db:5432/trainer"


def test_a_secret_file_that_cannot_be_read_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValidationError, match="OPENAI_API_KEY_FILE: cannot read"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def _docker_unavailable() -> str | None:
    """Why the image cannot be built here, or None when it can (a daemon answers and the base
    image is already present: there is no registry to pull it from on a machine without
    internet)."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker command on this machine"
    info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=30)
    if info.returncode != 0:
        return "docker has no daemon here (docker info failed)"
    base = re.search(r"^FROM\s+(\S+)", dockerfile(), flags=re.MULTILINE)
    assert base is not None
    present = subprocess.run(
        [docker, "image", "inspect", base.group(1)], capture_output=True, timeout=30
    )
    if present.returncode != 0:
        return f"base image {base.group(1)} is not present and cannot be pulled offline"
    return None


@pytest.mark.wheel
def test_the_image_builds_and_its_trainer_runs_when_docker_is_available() -> None:
    """Built and started only where Docker can build it; otherwise skipped, saying why."""
    why = _docker_unavailable()
    if why is not None:
        pytest.skip(why)
    tag = "huikuan-trainer:ci-test"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=1800)
    listed = subprocess.run(
        ["docker", "run", "--rm", tag, "trainer", "scenarios", "list"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert "county-edu-smart-classroom" in listed.stdout
    user = subprocess.run(
        ["docker", "run", "--rm", tag, "id", "-u"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert user.stdout.strip() not in ("", "0")

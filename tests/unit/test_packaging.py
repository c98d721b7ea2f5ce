"""Packaging: the compose file, the Dockerfile and the build context agree with pyproject.

There is no container engine on the test machines, so these read the files as the engine
would: the compose file against the Compose Specification's own schema, the build context
through `.dockerignore`'s rules, the Dockerfile's copies against the packages pyproject
installs.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from bot.cli import event_loop_factory, main

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_SPEC = Path(__file__).resolve().parents[1] / "schemas" / "compose-spec.json"
IMAGE = "stockbot:latest"


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _schema_errors(document: object) -> list[str]:
    schema = json.loads(COMPOSE_SPEC.read_text(encoding="utf-8"))
    validator = Draft7Validator(schema)
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    ]


# Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error},
# ${NAME?error}, ${NAME:+other}, ${NAME+other}; $$ is a literal dollar.
_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


def _interpolate(text: str, environment: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        present = name in environment
        set_and_not_empty = bool(environment.get(name))
        if op in (":?", "?") and not (set_and_not_empty if op == ":?" else present):
            raise LookupError(f"{name} is required: {arg}")
        if op == ":-":
            return environment[name] if set_and_not_empty else arg
        if op == "-":
            return environment[name] if present else arg
        if op == ":+":
            return arg if set_and_not_empty else ""
        if op == "+":
            return arg if present else ""
        return environment.get(name, "")

    return _VARIABLE.sub(value, text.replace("$$", "\0")).replace("\0", "$")


def test_the_compose_file_follows_the_compose_specification() -> None:
    assert _schema_errors(_compose()) == []


def test_the_schema_check_catches_a_misspelled_key() -> None:
    compose = _compose()
    compose["services"]["bot"]["depend_on"] = compose["services"]["bot"].pop("depends_on")
    assert any("depend_on" in error for error in _schema_errors(compose))


def _interpolate_values(node: object, environment: dict[str, str]) -> object:
    """Compose interpolates the values of the parsed file, not its text."""
    if isinstance(node, str):
        return _interpolate(node, environment)
    if isinstance(node, dict):
        return {key: _interpolate_values(value, environment) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolate_values(value, environment) for value in node]
    return node


def test_compose_config_works_without_a_token() -> None:
    interpolated = _interpolate_values(_compose(), environment={})
    assert isinstance(interpolated, dict)
    assert _schema_errors(interpolated) == []
    assert interpolated["x-stockbot"]["environment"]["BOT_TOKEN"] == ""


def test_the_interpolation_refuses_a_required_variable_that_is_missing() -> None:
    with pytest.raises(LookupError, match="BOT_TOKEN"):
        _interpolate("token: ${BOT_TOKEN:?set BOT_TOKEN in .env}", environment={})
    assert _interpolate("token: ${BOT_TOKEN:?set it}", {"BOT_TOKEN": "1:a"}) == "token: 1:a"


def test_the_bot_and_the_migration_run_one_image_built_once() -> None:
    services = _compose()["services"]
    assert services["bot"]["image"] == IMAGE
    assert services["migrate"]["image"] == IMAGE
    building = [name for name, service in services.items() if "build" in service]
    assert building == ["bot"]


def test_the_bot_container_refuses_to_open_the_console() -> None:
    assert _compose()["services"]["bot"]["command"] == ["stockbot", "run", "--no-console"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["stockbot", "run", "--no-console"]' in dockerfile


def test_run_without_a_token_and_without_the_console_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert main(["run", "--no-console"]) == 2
    assert "BOT_TOKEN is not set" in capsys.readouterr().err


def _pattern(pattern: str) -> re.Pattern[str]:
    regex = ""
    rest = pattern.strip("/")
    while rest:
        if rest.startswith("**/"):
            regex, rest = regex + "(.*/)?", rest[3:]
        elif rest.startswith("**"):
            regex, rest = regex + ".*", rest[2:]
        elif rest[0] == "*":
            regex, rest = regex + "[^/]*", rest[1:]
        elif rest[0] == "?":
            regex, rest = regex + "[^/]", rest[1:]
        else:
            regex, rest = regex + re.escape(rest[0]), rest[1:]
    return re.compile(regex)


def _sent_to_the_build(path: str) -> bool:
    """What the engine does with .dockerignore: the last pattern matching the path, or a
    folder above it, decides; a pattern starting with ! brings the path back."""
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    parts = path.split("/")
    prefixes = ["/".join(parts[: end + 1]) for end in range(len(parts))]
    sent = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        matcher = _pattern(pattern.removeprefix("!"))
        if any(matcher.fullmatch(prefix) for prefix in prefixes):
            sent = negated
    return sent


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".git/HEAD",
        ".venv/bin/python",
        "stockbot.db",
        "stockbot-files/chart.png",
        "bot/__pycache__/cli.cpython-311.pyc",
        ".mypy_cache/3.11/core/model.meta.json",
        "tests/unit/test_packaging.py",
    ],
)
def test_the_build_context_leaves_out_secrets_and_local_state(path: str) -> None:
    assert not _sent_to_the_build(path)


def _installed_packages() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted(pattern.removesuffix("*") for pattern in include)


def test_the_build_context_holds_what_the_install_needs() -> None:
    needed = ["pyproject.toml", "README.md", "db/migrations/env.py", "webapp/static/index.html"]
    needed += [f"{package}/__init__.py" for package in _installed_packages()]
    assert [path for path in needed if not _sent_to_the_build(path)] == []


def test_the_dockerfile_copies_every_package_pyproject_installs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    build_stage = dockerfile.split("FROM ")[1]
    copied = re.findall(r"^COPY (\S+) \./\1$", build_stage, flags=re.MULTILINE)
    assert sorted(copied) == _installed_packages()
    assert "COPY pyproject.toml README.md ./" in build_stage


def test_stockbot_run_serves_on_uvloops_event_loop() -> None:
    """An update wakes the bot for a dozen sockets' reads and writes; uvloop's loop
    spends less CPU around them than asyncio's. It is a dependency (but on Windows,
    which it does not support), and `stockbot run` builds its loop with it."""
    requirements = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(r.startswith("uvloop") and "win32" in r for r in requirements)
    # A virtualenv installed before the dependency came (`pip install -e .` again).
    uvloop = pytest.importorskip("uvloop")

    factory = event_loop_factory()
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()

"""The command line and the web app start without loading what they do not use.

``criterio --help`` and every command used to take 2-3 s to start because importing
``criterio.cli`` loaded scikit-learn (and SciPy, pandas, pyarrow, SQLAlchemy); the
web app loaded scikit-learn for one constant and hashed a password at import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import criterio

HEAVY = ("sklearn", "scipy", "pandas", "pyarrow", "statsmodels", "sqlalchemy", "numpy")


def _loaded_after(statement: str, extra: str = "") -> dict[str, object]:
    """Run ``statement`` in a fresh interpreter; which heavy modules did it load?"""
    code = (
        f"import json, sys\n{statement}\n"
        f"out = {{'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}\n{extra}\n"
        "print(json.dumps(out))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import criterio.cli")["heavy"] == []


def test_help_runs_without_heavy_libraries() -> None:
    loaded = _loaded_after(
        "from typer.testing import CliRunner\n"
        "from criterio.cli import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "import typer.main\n"
        "root = typer.main.get_command(app)\n"
        "assert len(root.commands) > 10\n"
        "for name, command in root.commands.items():\n"
        "    assert CliRunner().invoke(app, [name, '--help']).exit_code == 0, name\n"
        "    for sub in getattr(command, 'commands', {}):\n"
        "        assert CliRunner().invoke(app, [name, sub, '--help']).exit_code == 0, sub"
    )
    assert loaded["heavy"] == []


def test_the_web_app_imports_without_scikit_learn_or_a_password_hash() -> None:
    loaded = _loaded_after(
        "import criterio.web.app",
        "from criterio.auth import service\n"
        "out['hashes'] = service._dummy_hash.cache_info().currsize",
    )
    assert "sklearn" not in loaded["heavy"]
    assert loaded["hashes"] == 0


def test_each_domains_router_imports_on_its_own() -> None:
    """An integration that mounts one router (say the cases API) imports only that module.

    One fresh interpreter: before each import every ``criterio`` module is forgotten, so
    each router is imported from nothing of Criterio's (a cycle would fail), while the
    libraries stay loaded.
    """
    modules = sorted(p.parent.name for p in Path(criterio.__file__).parent.glob("*/api.py"))
    assert {"assist", "knowledge", "triage"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] == 'criterio']:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(f'criterio.{name}.api')\n"
        "    except ImportError as exc:\n"
        "        print(f'criterio.{name}.api: {exc}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout == ""

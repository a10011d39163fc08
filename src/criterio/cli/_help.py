"""What the CLI shows people: value labels in ``--help``, and counted nouns.

Value labels: ``--tenant TEXT``, ``paths... FILE...``, nothing for flags.

Typer labels every option and argument with its Python annotation (``--json <bool>``,
``paths... <list[Path]>``), which reads as noise or as a request for a value. These
command and group classes give each parameter click's usual label instead, and none to
flags; :func:`use_plain_labels` applies them to every command of an app.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, get_args

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

__all__ = ["PlainLabelsCommand", "PlainLabelsGroup", "plural", "use_plain_labels"]

_NAMES: dict[Any, str] = {str: "TEXT", int: "INTEGER", float: "FLOAT", bool: "BOOLEAN"}


def _label(param: Any, ctx: Any) -> str:
    """Click's kind of label for a parameter's value: TEXT, INTEGER, FILE, [a|b], or none."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""  # a flag takes no value
    if param.metavar is not None:
        # An argument's name column already shows its metavar; an option shows it here.
        return "" if isinstance(param, TyperArgument) else str(param.metavar)
    desc = param.type_descriptor
    annotation = get_args(desc.annotation)[0] if desc.is_list else desc.annotation
    label: str
    if desc.is_choice:
        label = "[" + str(param.display_type(ctx)).strip("<>") + "]"
    elif desc.is_path or (isinstance(annotation, type) and issubclass(annotation, PurePath)):
        label = str(desc.path_type).upper()
    else:
        label = _NAMES.get(annotation, str(getattr(annotation, "__name__", annotation)).upper())
    return label + ("..." if param.nargs != 1 else "")


def _relabel(param: Any) -> Any:
    # Typer's help asks each parameter for display_type_rich(ctx); answering on the
    # instance keeps Typer's own parameter classes and everything else they do.
    def display_type_rich(ctx: Any) -> str:
        return _label(param, ctx)

    setattr(param, "display_type_rich", display_type_rich)  # noqa: B010
    return param


class PlainLabelsCommand(TyperCommand):
    """A Typer command whose help shows click's value labels."""

    def get_params(self, ctx: Any) -> list[Any]:
        """Every parameter (``--help`` and completion options included), relabelled."""
        return [_relabel(param) for param in super().get_params(ctx)]


class PlainLabelsGroup(TyperGroup):
    """A Typer group whose help shows click's value labels."""

    def get_params(self, ctx: Any) -> list[Any]:
        """Every parameter (``--help`` and completion options included), relabelled."""
        return [_relabel(param) for param in super().get_params(ctx)]


def use_plain_labels(app: typer.Typer) -> None:
    """Make every command and group of ``app`` (recursively) use the plain labels."""
    app.info.cls = PlainLabelsGroup
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):  # Typer's default, not a chosen class
            command.cls = PlainLabelsCommand
    for group in app.registered_groups:
        group.cls = PlainLabelsGroup
        if group.typer_instance is not None:
            use_plain_labels(group.typer_instance)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 day``, ``2 days``, ``1,200 insights`` (``many`` for irregular plurals)."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"

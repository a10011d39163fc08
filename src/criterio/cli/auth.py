"""``criterio tenants | users | tokens``: client accounts, people, machines and their tokens."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from criterio.auth.roles import Role
from criterio.cli._store import cli_actor, open_store, unit_of_work

if TYPE_CHECKING:
    pass

# The auth service (argon2, SQLAlchemy) is imported inside the commands, so that the
# CLI starts fast (tests/test_cli_startup.py).

__all__ = ["register", "tenants_app", "tokens_app", "users_app"]

tenants_app = typer.Typer(help="Client accounts (tenants).", no_args_is_help=True)
users_app = typer.Typer(
    help="People and machine accounts, each with a role in a tenant.", no_args_is_help=True
)
tokens_app = typer.Typer(
    help="Bearer tokens for the REST API (shown once, stored hashed).", no_args_is_help=True
)
out = Console()
err = Console(stderr=True)
TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="The tenant (client account).")]


@tenants_app.command("create")
def tenants_create(
    name: Annotated[str, typer.Argument(help="Short name: letters, digits, '.', '_' or '-'.")],
    display_name: Annotated[str | None, typer.Option(help="Name shown to people.")] = None,
) -> None:
    """Create a tenant."""
    from pydantic import TypeAdapter, ValidationError

    from criterio.auth import service
    from criterio.auth.schemas import TenantName

    try:
        TypeAdapter(TenantName).validate_python(name)
    except ValidationError:
        err.print(f"[red]tenant name {name!r}: use letters, digits, '.', '_' or '-'[/red]")
        raise typer.Exit(1) from None
    with unit_of_work() as session:
        service.create_tenant(session, name, display_name)
    out.print(f"Tenant [bold]{name}[/bold] created.")


@tenants_app.command("list")
def tenants_list() -> None:
    """List the tenants."""
    from criterio.auth.repository import list_all_tenants

    with unit_of_work() as session:
        table = Table("name", "display name", "created")
        for tenant in list_all_tenants(session):
            table.add_row(tenant.name, tenant.display_name, tenant.created_at.isoformat())
    out.print(table)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="Unique user name.")],
    tenant: TenantOpt,
    role: Annotated[Role, typer.Option(help="Role in the tenant.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="A machine account: tokens only, no login.")
    ] = False,
) -> None:
    """Create a user; people are asked for a password (12 characters or more)."""
    from criterio.auth import service

    password = None if no_password else _read_password(password_stdin)
    with unit_of_work() as session:
        service.create_user(session, tenant, username=username, role=role, password=password)
    out.print(f"User [bold]{username}[/bold] ({role.value}) created in tenant {tenant}.")


@users_app.command("list")
def users_list(tenant: TenantOpt) -> None:
    """List a tenant's users (personal data: seen through the role or a grant)."""
    from criterio.assist.grants import list_grants
    from criterio.auth.repository import UserRepository
    from criterio.auth.roles import Permission, allowed

    with unit_of_work() as session:
        granted = {g.username for g in list_grants(session, tenant)}
        table = Table("user", "role", "disabled", "personal data", "created")
        for user in UserRepository(session, tenant).list():
            sees = "role" if allowed(user.role, Permission.view_personal_data) else ""
            table.add_row(
                user.username,
                user.role,
                "yes" if user.disabled else "",
                sees or ("grant" if user.username in granted else ""),
                user.created_at.isoformat(),
            )
    out.print(table)


@users_app.command("grant-personal-data")
def users_grant_personal_data(
    username: Annotated[str, typer.Argument(help="A user who works cases (e.g. an agent).")],
    tenant: TenantOpt,
    reason: Annotated[
        str, typer.Option("--reason", help="Why they must see personal data (kept, required).")
    ],
) -> None:
    """Let a user see cases' conversations unredacted (each view is audited)."""
    from criterio.assist.grants import grant_personal_data
    from criterio.auth.service import record_audit

    actor = cli_actor()
    with unit_of_work() as session:
        grant = grant_personal_data(session, tenant, username, reason=reason, by=actor)
        record_audit(
            session,
            tenant,
            actor=actor,
            action="grant_personal_data",
            resource_type="user",
            resource_ids=[username],
            detail={"grant_id": grant.id},
        )
        since = grant.granted_at.isoformat()
    out.print(f"User [bold]{username}[/bold] may see personal data (granted {since}).")


@users_app.command("revoke-personal-data")
def users_revoke_personal_data(
    username: Annotated[str, typer.Argument(help="The user whose grant ends.")],
    tenant: TenantOpt,
) -> None:
    """End a user's personal-data grant; from then on they see redacted text."""
    from criterio.assist.grants import revoke_personal_data
    from criterio.auth.service import record_audit

    actor = cli_actor()
    with unit_of_work() as session:
        grant = revoke_personal_data(session, tenant, username, by=actor)
        record_audit(
            session,
            tenant,
            actor=actor,
            action="revoke_personal_data",
            resource_type="user",
            resource_ids=[username],
            detail={"grant_id": grant.id},
        )
    out.print(f"User [bold]{username}[/bold] no longer sees personal data.")


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument()], tenant: TenantOpt) -> None:
    """Disable a user and revoke their tokens and sessions."""
    from criterio.auth import service

    with unit_of_work() as session:
        service.set_user_disabled(session, tenant, username=username, disabled=True)
    out.print(f"User [bold]{username}[/bold] disabled; their tokens are revoked.")


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    tenant: TenantOpt,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, help="Days until it expires (default: never).")
    ] = None,
) -> None:
    """Create a bearer token with the user's role and tenant; it is printed once."""
    from criterio.auth import service

    expires = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    with unit_of_work() as session:
        created = service.create_token(
            session, tenant, username=username, name=name, expires_at=expires
        )
    err.print(
        f"Token {created.pk} ({created.role.value} in {created.tenant}) created; "
        "it is shown only now:"
    )
    typer.echo(created.token)


@tokens_app.command("list")
def tokens_list(tenant: TenantOpt) -> None:
    """List a tenant's tokens (prefixes only; secrets are never stored)."""
    from criterio.auth.repository import TokenRepository

    with unit_of_work() as session:
        table = Table("id", "name", "role", "prefix", "expires", "revoked")
        for token in TokenRepository(session, tenant).list():
            table.add_row(
                str(token.pk),
                token.name,
                token.role,
                token.prefix,
                token.expires_at.isoformat() if token.expires_at else "never",
                token.revoked_at.isoformat() if token.revoked_at else "",
            )
    out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id.")], tenant: TenantOpt
) -> None:
    """Revoke a token at once."""
    from criterio.auth import service

    with unit_of_work() as session:
        service.revoke_token(session, tenant, token_id)
    out.print(f"Token {token_id} revoked.")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Comma-separated addresses of reverse proxies whose X-Forwarded-For / "
            "X-Forwarded-Proto are trusted, so login rate limits and the audit log see the "
            "real client; '*' trusts any (only behind a proxy that overwrites them)."
        ),
    ] = "127.0.0.1",
) -> None:
    """Serve the REST API and the web pages with Uvicorn (OpenAPI docs at /docs)."""
    import uvicorn

    store = open_store()  # creates an empty store, refuses an outdated one
    store.close()
    uvicorn.run(
        "criterio.web.server:app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="warning",
        access_log=False,
    )


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.add_typer(tenants_app, name="tenants")
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
    app.command()(serve)

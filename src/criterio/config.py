"""Settings read from ``CRITERIO_*`` environment variables (and an optional ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "model_directory"]


class Settings(BaseSettings):
    """Everything Criterio reads from its environment, validated once."""

    model_config = SettingsConfigDict(env_prefix="CRITERIO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///criterio.db",
        description="SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://...",
    )
    data_dir: Path = Field(default=Path("."), description="Where models and exports are kept.")
    model_dir: Path | None = Field(
        default=None,
        description="Where the model registry keeps each tenant's model files (default: "
        "`models` beside the SQLite file, else ./criterio-models).",
    )
    intent_model: Path | None = Field(
        default=None,
        description="Intent model directory used when a tenant has no champion in the registry "
        "(and by `criterio annotate`).",
    )
    topic_model: Path | None = Field(
        default=None,
        description="Topic model directory used when a tenant has no champion in the registry "
        "(and by `criterio annotate`).",
    )
    auto_topics: bool = Field(
        default=True,
        description="`criterio analyze` and the worker discover a tenant's topics when it has "
        "no topic model, and refresh them when too many interactions fit none.",
    )
    topics_min_interactions: int = Field(
        default=100,
        ge=2,
        description="Fewest interactions with text before topics are discovered automatically.",
    )
    topics_refresh_unassigned: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="Share of analysed interactions that fit no topic above which the topics "
        "are discovered again (ids of unchanged topics kept) and the new model promoted.",
    )
    ingest_chunk_size: int = Field(default=5000, ge=1, le=100_000)
    max_request_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest request body the server reads (bytes); a bigger one gets 413.",
    )
    max_batch: int = Field(
        default=1000, ge=1, le=100_000, description="Most interactions one batch POST may carry."
    )
    teach_budget: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="Labels a day each tenant gives from the teach queue (the /teach page).",
    )
    log_level: str = "INFO"
    secret_key: SecretStr | None = Field(
        default=None,
        description="Long random string the webhook signing secrets are derived from "
        "(webhooks are refused without it); never logged.",
    )


def model_directory(settings: Settings) -> Path:
    """The registry's model directory: CRITERIO_MODEL_DIR, else ``models`` beside a SQLite
    file, else ``./criterio-models`` (a server database has no folder of its own)."""
    from sqlalchemy.engine import make_url

    if settings.model_dir is not None:
        return settings.model_dir.expanduser().resolve()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).expanduser().resolve().parent / "models"
    return Path("criterio-models").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use (never at import)."""
    return Settings()

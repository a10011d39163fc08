"""Knowledge base (KCS): articles and their versions, links to interactions, search."""

from criterio.knowledge.schemas import (
    TRANSITIONS,
    ArticleEdit,
    ArticleIn,
    ArticleRead,
    ArticleState,
    Audience,
    LinkIn,
    LinkKind,
    LinkVia,
)
from criterio.knowledge.service import (
    automatable_articles,
    change_state,
    create_article,
    edit_article,
    get_article,
    history,
    is_automatable,
    link_article,
    list_articles,
    restore_version,
)

__all__ = [
    "TRANSITIONS",
    "ArticleEdit",
    "ArticleIn",
    "ArticleRead",
    "ArticleState",
    "Audience",
    "LinkIn",
    "LinkKind",
    "LinkVia",
    "automatable_articles",
    "change_state",
    "create_article",
    "edit_article",
    "get_article",
    "history",
    "is_automatable",
    "link_article",
    "list_articles",
    "restore_version",
]

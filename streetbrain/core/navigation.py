"""The main menu and the home page's domains, from the apps' declared ``MenuEntry``s: each
entry and each link under it shown only to users who hold its permission, and only where its
page exists (a link never leads to a missing or forbidden page)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from . import extension_points as ep


def _allowed(user, permission: str) -> bool:
    return all(ep.may(user, p.strip()) for p in permission.split(",")) if permission else True


def _url(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def entries(user, group: str | None = None) -> list[dict]:
    """The menu entries ``user`` may open (of one ``group``, or all), each with its URL and
    the links under it: [{key, label, description, url, children: [{label, url}]}]."""
    out = []
    for entry in ep.items(ep.MenuEntry):
        if group is not None and entry.group != group:
            continue
        if not _allowed(user, entry.permission):
            continue
        url = _url(entry.url_name)
        if url is None:
            continue
        children = []
        for child in entry.children:
            if not _allowed(user, child.permission):
                continue
            name = child.url_name(user) if callable(child.url_name) else child.url_name
            child_url = _url(name)
            if child_url is not None:
                children.append({"label": child.label, "url": child_url})
        out.append(
            {
                "key": entry.key,
                "label": entry.label,
                "description": entry.description,
                "url": url,
                "children": children,
            }
        )
    return out


def header_links(user) -> list[dict]:
    """The top bar's links with their count badges; the count runs only when a page shows
    it."""
    out = []
    for link in ep.for_user(ep.HeaderLink, user):
        url = _url(link.url_name)
        if url is None:
            continue
        out.append({"key": link.key, "label": link.label, "url": url, "count": _lazy(link, user)})
    return out


def _lazy(link: ep.HeaderLink, user):
    cache: dict = {}

    def count():
        if "n" not in cache:
            cache["n"] = link.count(user)
        return cache["n"]

    return count

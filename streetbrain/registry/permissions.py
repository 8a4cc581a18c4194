"""The registry's permissions as the roles use them: the code tables everyone reads, the
things (buildings, facilities, shops) and the people (houses, households, residents). Other
apps' roles name these groups instead of spelling the codenames again."""

CODE_TABLES = (
    "registry.view_componentclass",
    "registry.view_industryclass",
    "registry.view_industrysection",
    "registry.view_division",
    "registry.view_residenttag",
    "registry.view_place",
)
THINGS = ("registry.view_building", "registry.view_facility", "registry.view_shop")
PEOPLE = ("registry.view_house", "registry.view_household", "registry.view_resident")
KEPT = ("building", "house", "household", "resident", "facility", "shop")


def crud(*models: str) -> tuple[str, ...]:
    """View, add and change of the registry's ``models``."""
    return tuple(f"registry.{a}_{m}" for m in models for a in ("view", "add", "change"))

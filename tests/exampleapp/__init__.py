"""A minimal app that plugs into the platform through its extension points only: the
historical wells (古井) of a street. It lives in the tests (installed by the test settings)
to show — and keep proving — that a new app appears on the map, the one search, the
cockpit, the menu, the key figures and another app's page, with roles for its users,
without a line changed in any other app. docs/architecture.md walks through it."""

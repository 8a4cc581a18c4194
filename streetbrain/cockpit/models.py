"""The cockpit keeps no tables of its own: what it shows comes from the apps' precomputed
figures through the extension points. (Its one model, the map's case densities, moved to the
case engine: ``cases.CaseDensity``.)"""

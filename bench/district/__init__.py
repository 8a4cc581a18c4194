"""The district data set of issue 13: 鄞州区's streets and towns (real NBS codes, illustrative
outlines), each with the demo street's registry, case history and building economy, generated
by the demo's own planners and loaders straight into PostgreSQL. ``bench/bench_district_load.py``
is the command; ``layout`` places the streets, ``replay`` moves a planned case history from one
street to another, ``load`` writes it all."""

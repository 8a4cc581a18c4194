"""The demo's plans, computed without the database: the illustrative district, synthetic
people, shops and report texts, the demo's departments and accounts, and each domain's plan
with its ground truth. Deterministic for a seed (one ``random.Random`` per part, never set or
hash order). The loaders one floor up read the database, call these and write the result."""

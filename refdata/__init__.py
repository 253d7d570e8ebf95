"""Reference data: a generated, reproducible picture of Suzhou written into the warehouse.

`refdata.generate.generate` makes one DataFrame per warehouse table (pure, seeded);
`refdata.build.build` writes them (`python -m refdata.build --if-missing`).
"""

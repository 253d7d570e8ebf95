"""Geography helpers: datum conversion and projections."""

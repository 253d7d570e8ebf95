"""Figure builders: plain functions from DataFrames to plotly figures, no I/O."""

"""Reference pieces of quakebench: the data generator and the baseline methods."""

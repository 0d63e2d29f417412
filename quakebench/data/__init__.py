"""The two benchmark datasets: schema, Parquet shards, dataset card, building and reading."""

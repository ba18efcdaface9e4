"""Store benchmark: operations per second and query-endpoint throughput, SQLite against the Mongo-wire server."""

"""The durable task engine: Huey moves messages, the ledger is the source of truth."""

"""The workspace index: parses kept on disk, queries planned against them (see store.py, indexer.py, plan.py)."""

"""Loading data into the warehouse: FOCUS cost files (``focus``), the ingest log and the
quarantine of rows that could not be loaded."""

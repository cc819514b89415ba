"""Alert rules evaluated after each ingest, and delivery (webhooks, e-mail) with retries."""

"""Boomi's platform features (runs, deploys, polling, Partner, packs) over a client."""

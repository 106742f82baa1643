"""Pinned WSDL snapshots of the bundled reference service (data only, no code).

Read through ``boomi_soap.snapshot.cache.pinned_store()``; rewrite with ``boomi-soap fetch``
(README.rst, "Regenerate the pinned snapshot").  This is a package only so the
snapshots ship in the wheel.
"""

"""I/O only: the drivers that send a request and read its answer within the same bounds."""

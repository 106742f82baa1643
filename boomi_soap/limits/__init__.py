"""The request budget: limiter backends (memory, host, Redis) and the quota gate."""

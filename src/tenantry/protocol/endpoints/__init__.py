"""HTTP endpoints of the STS: parse, call a service, render (style P12: thin routes)."""

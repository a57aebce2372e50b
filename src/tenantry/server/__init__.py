"""Running the HTTP server: TLS material and uvicorn."""

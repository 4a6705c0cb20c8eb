"""The public functions, one module per command: scenario -> inputs -> model/analysis -> typed result."""

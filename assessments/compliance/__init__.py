"""The nightly compliance check (issue 6): rules citing their clause IDs, runs, findings."""

"""Collection and import: the clock, jobs, files, parsing, storing and linking notices."""

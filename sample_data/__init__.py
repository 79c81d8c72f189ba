"""The sample ward: the registry CSVs and a deterministic generator of a year of unit reports.

See ``sample_data/README.md`` and ``sample_data.generate``.
"""

"""Import hourly price and carbon exports (EIA-930, ENTSO-E, gridstatus, Cambium, CSV)."""

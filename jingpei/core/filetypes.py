"""Media types of the files the app sends (one spelling, not one per view)."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

"""Open data: the JSON API, OCDS packages, OpenAPI and the CSV/Atom/iCal exports."""

"""The portal's side of search: query-string parameters, index documents and sync."""

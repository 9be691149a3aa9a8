"""Email alerts: subscribe to a search or follow a procurement; matched, composed and sent exactly once."""

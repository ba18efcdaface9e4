"""``chatops demo``: the service against local stand-ins (two clusters with Velero, an SSM Parameter Store)."""

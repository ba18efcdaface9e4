"""DialogFlow ES agent exports: import into our agent format, export from it."""

from chatops.engine.dialogflow.es_export import export_agent
from chatops.engine.dialogflow.es_import import ImportResult, import_agent

__all__ = ["ImportResult", "export_agent", "import_agent"]

"""The app's widgets: the virtualised profile table, the detail panel, the status log."""

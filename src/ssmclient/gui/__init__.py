"""The desktop window: thin Qt views and controllers over the Qt-free core (`ssmclient.core`)."""

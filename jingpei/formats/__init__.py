"""Date formats of the page languages where Django's own do not read as people here write them
(settings.FORMAT_MODULE_PATH; any format not named here is Django's)."""

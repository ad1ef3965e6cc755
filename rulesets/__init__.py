"""Bundled rulesets (installed as ``compliance._bundled``); the YAML files are the rules."""

"""vttui: a keyboard-first terminal UI and headless CLI for the VirusTotal API v3."""

__version__ = "0.1.0"

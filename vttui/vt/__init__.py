"""The VirusTotal layer: client, errors, cache, rate limiter, IOC parsing, models.

Imports nothing from Textual; usable as a library on its own.
"""

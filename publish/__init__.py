"""The jobs of build.py that are more than assembling dist/: headers, and checking a deployment."""

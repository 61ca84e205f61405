"""The domain: plain dataclasses and the rules over them (standard library only, no I/O)."""

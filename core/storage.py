"""Static file storage: hashed, compressed names once collectstatic ran; plain names before it."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Serves the plain name when a file was not collected (tests and `manage.py` before collectstatic).

    Production runs collectstatic (README), so every name there resolves to its hashed copy.
    """

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name

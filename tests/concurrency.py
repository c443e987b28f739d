"""Edit forms carry the version of the record they were opened on (core.concurrency); a test posts
it back as a browser does."""


def opened(client, url: str, data: dict) -> dict:
    """`data` with the version the form at `url` carries now, as if the user had just opened it."""
    return {**data, "version": client.get(url).context["form"]["version"].value()}

"""The API's parsers (the default of every view): Django REST framework's, with the rule of
``core.text`` on whatever they parsed. A body holding control characters is a 400 naming the
top-level fields at fault, whatever the serializer would have looked at — answers nested in
a JSON object included."""

from __future__ import annotations

from rest_framework import exceptions, parsers
from rest_framework.settings import api_settings

from ..text import MESSAGE, fields_with_control_characters


class TextCheck:
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        data = parsed.data if isinstance(parsed, parsers.DataAndFiles) else parsed
        bad = fields_with_control_characters(data, whole=api_settings.NON_FIELD_ERRORS_KEY)
        if bad:
            raise exceptions.ValidationError({name: [MESSAGE] for name in bad})
        return parsed


class JSONParser(TextCheck, parsers.JSONParser):
    pass


class FormParser(TextCheck, parsers.FormParser):
    pass


class MultiPartParser(TextCheck, parsers.MultiPartParser):
    pass

"""Django's zh-Hans formats, with the thousands separator Chinese statistical bulletins use
(65,548; GB/T 15835-2011 allows a comma every three digits). Django's own leaves it empty."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

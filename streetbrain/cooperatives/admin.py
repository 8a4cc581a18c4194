"""The grading's data in Django's admin (staff only): the 农经 office tunes the indicators'
thresholds and weights and the colour bands here; every change is in the change log (the
models are audited). The next grading uses them."""

from django.contrib import admin

from .models import ColourBand, Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "weight", "bad", "good", "active", "order")
    list_editable = ("weight", "bad", "good", "active")
    readonly_fields = ("code",)  # the code says how the value is read (grading.MEASURES)


@admin.register(ColourBand)
class ColourBandAdmin(admin.ModelAdmin):
    list_display = ("colour", "min_score")
    list_editable = ("min_score",)

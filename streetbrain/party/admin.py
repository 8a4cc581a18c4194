"""The star rating's indicators in Django's admin (staff only), audited; the next rating uses
them."""

from django.contrib import admin

from .models import StarIndicator


@admin.register(StarIndicator)
class StarIndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "weight", "bad", "good")
    list_editable = ("weight", "bad", "good")
    readonly_fields = ("code",)  # the code says how the value is read (rating.measures)

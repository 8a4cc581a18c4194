"""The Django admin, for superusers. Changes made here are audited like any other (the
change-log signals see them); the change log itself is read-only here as everywhere."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import actions
from .models import ApiToken, ChangeLogEntry, Department, KeyFigure, OrgUnit, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "illustrative")
    list_filter = ("level", "illustrative")
    search_fields = ("code", "name", "legacy_code")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "org_unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "org_unit",
        "department",
        "is_active",
        "is_superuser",
    )
    list_filter = ("is_active", "is_superuser", "groups")
    search_fields = ("username", "display_name")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Scope"), {"fields": ("display_name", "org_unit", "department")}),
    )
    raw_id_fields = ("org_unit",)


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(admin.ModelAdmin):
    list_display = ("time", "user_name", "source", "action", "content_type", "object_repr")
    list_filter = ("action", "source", "content_type")
    search_fields = ("object_repr", "user_name", "reason")
    date_hierarchy = "time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KeyFigure)
class KeyFigureAdmin(admin.ModelAdmin):
    list_display = ("org_unit", "key", "value", "computed_at")
    list_filter = ("key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API tokens, to see and revoke (deleting is revoking, through the action);
    tokens are made by their users, never here: the admin never sees a key."""

    list_display = ("name", "user", "prefix", "created", "expires", "last_used")
    list_filter = ("created",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "name", "prefix", "created", "last_used")
    exclude = ("digest",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        actions.revoke_api_token(obj, request.user)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            actions.revoke_api_token(token, request.user)

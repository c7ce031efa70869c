from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "person", "user", "channel", "kind", "status", "attempts"]
    list_filter = ["channel", "status", "kind"]
    raw_id_fields = ["person", "user"]
    readonly_fields = ["created_at", "sent_at", "read_at", "attempts", "last_error"]

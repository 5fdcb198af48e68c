from django.contrib import admin

from .models import EphotoCode, Person, Prefecture, ResidenceDocument, TaxStamp


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["department_code", "department_name", "name", "website"]
    search_fields = ["department_code", "department_name", "name"]


class ResidenceDocumentInline(admin.TabularInline):
    model = ResidenceDocument
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["foreign_number", "last_name", "first_names", "postcode"]
    search_fields = ["foreign_number", "last_name", "documents__number"]
    inlines = [ResidenceDocumentInline]


@admin.register(EphotoCode)
class EphotoCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "taken_at", "available_at", "used_at"]


@admin.register(TaxStamp)
class TaxStampAdmin(admin.ModelAdmin):
    list_display = ["number", "amount_cents", "bought_at", "used_at"]

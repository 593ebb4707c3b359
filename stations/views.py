from django.contrib import messages
from django.shortcuts import redirect, render

from stations import importer
from stations.access import MANAGERS, role_required
from stations.forms import ImportForm
from stations.responses import attachment
from stations.scope import scope_of


@role_required(*MANAGERS)
def import_stations(request):
    """Upload an .xlsx/.csv of bureaus and stations; all rows go in, or none and every error
    is listed."""
    if request.method != "POST":
        return render(request, "stations/import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    row_errors = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = importer.import_file(
                upload, filename=upload.name, scope=scope_of(request.user)
            )
        except importer.ImportRejected as exc:
            row_errors = exc.row_errors
        else:
            messages.success(request, summary.describe())
            return redirect("stations:import")
    context = {"form": form, "row_errors": row_errors}
    return render(request, "stations/import.html", context, status=400)


@role_required(*MANAGERS)
def import_template(request):
    return attachment(importer.template_xlsx(), "stations-import-template.xlsx")


@role_required(*MANAGERS)
def import_template_csv(request):
    return attachment(
        importer.template_csv(), "stations-import-template.csv", "text/csv; charset=utf-8"
    )

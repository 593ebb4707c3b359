from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stations.importer import EXTENSIONS, MAX_UPLOAD_MB


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        error_messages={
            "required": _("Choose a file to import."),
            "empty": pgettext_lazy("import", "The file is empty."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in EXTENSIONS:
            raise ValidationError(_("Only .xlsx and .csv files can be imported."), code="type")
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise ValidationError(
                pgettext_lazy("import", "The file is larger than %(size)s MB."),
                code="size",
                params={"size": MAX_UPLOAD_MB},
            )
        return upload

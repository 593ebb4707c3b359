from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.reports import verify

# A printout's PDF is small; this only stops someone uploading anything at all.
MAX_UPLOAD = 20 * 1024 * 1024


class VerifyForm(forms.Form):
    """A verification code as printed on a report, and optionally the PDF file to compare
    with what was issued."""

    code = forms.CharField(label=_("Verification code"), max_length=40)
    file = forms.FileField(label=_("PDF file (optional)"), required=False)

    def clean_code(self) -> str:
        code = verify.normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A verification code has 12 letters and digits, for example ABCD-EFGH-JKMN.")
            )
        return code

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload

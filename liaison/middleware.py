"""Chinese unless the user chose otherwise.

The interface speaks Simplified Chinese by default; English is selectable with the language
switch (stored in the language cookie). The browser's Accept-Language header is ignored so a
workstation with an English browser still gets the Chinese interface.
"""


class ChineseByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

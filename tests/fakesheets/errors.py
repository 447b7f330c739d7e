"""Google-shaped API errors raised by the fake."""

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access "
        "token, login cookie or other valid authentication credential."
    ),
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: (
        "Quota exceeded for quota metric 'Write requests' and limit "
        "'Write requests per minute per user' of service 'sheets.googleapis.com'."
    ),
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    504: "The request timed out.",
}


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "status"}} with HTTP status == code."""

    def __init__(self, code: int, message: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, "Error.")

    def body(self) -> dict:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "status": STATUS_NAMES.get(self.code, "UNKNOWN"),
            }
        }


def invalid(message: str) -> ApiError:
    return ApiError(400, message)

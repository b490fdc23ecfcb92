"""Domain validation errors shared by pages (shown at the field) and the API (422)."""


class ValidationErrors(Exception):
    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def apply_errors_to_form(form, errors: ValidationErrors) -> None:
    """Shows each message at its field; messages for fields the form lacks go to the top."""
    for name, message in errors.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)
